package report

import (
	"html"

	chart "github.com/wcharczuk/go-chart/v2"
)

// legend draws one row of swatches and names in the padding above the
// plot. go-chart's own legends size themselves with MeasureText, whose SVG
// estimate is tall enough to push the box over the plot, so this one uses
// fixed metrics: the report's charts have few, short series names.
func legend(ch *chart.Chart) chart.Renderable {
	return func(r chart.Renderer, cb chart.Box, defaults chart.Style) {
		const swatch, gap, charWidth, y = 22, 18, 7, 18
		x := cb.Left
		for _, s := range ch.Series {
			st := s.GetStyle()
			if st.Hidden {
				continue
			}
			r.ResetStyle()
			r.SetStrokeColor(st.StrokeColor)
			r.SetStrokeWidth(2)
			r.SetStrokeDashArray(st.StrokeDashArray)
			r.MoveTo(x, y)
			r.LineTo(x+swatch, y)
			r.Stroke()
			r.ResetStyle()
			r.SetFont(ch.Font)
			r.SetFontColor(axisColor)
			r.SetFontSize(10)
			r.ClearTextRotation() // an axis name may have left it rotated
			name := s.GetName()
			r.Text(name, x+swatch+5, y+4)
			x += swatch + 5 + charWidth*len([]rune(html.UnescapeString(name))) + gap
		}
	}
}
