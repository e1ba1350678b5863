package report

import (
	"bytes"
	"fmt"
	"html"
	"math"
	"strings"
	"sync"

	"github.com/golang/freetype/truetype"
	chart "github.com/wcharczuk/go-chart/v2"
	"github.com/wcharczuk/go-chart/v2/drawing"
)

// Chart size in SVG units; the page scales the SVG to its column.
const (
	chartWidth  = 1024
	chartHeight = 360
)

// palette holds the series colours, distinguishable in colour-blind
// vision (Okabe-Ito) and in print.
var palette = []drawing.Color{
	drawing.ColorFromHex("0072B2"), // blue
	drawing.ColorFromHex("D55E00"), // vermillion
	drawing.ColorFromHex("009E73"), // green
	drawing.ColorFromHex("CC79A7"), // purple
	drawing.ColorFromHex("E69F00"), // orange
	drawing.ColorFromHex("56B4E9"), // sky blue
	drawing.ColorFromHex("000000"), // black
	drawing.ColorFromHex("F0E442"), // yellow
}

var (
	gridColor = drawing.ColorFromHex("E5E5E5")
	axisColor = drawing.ColorFromHex("666666")
)

// line is one series of a line chart.
type line struct {
	Name   string
	Ys     []float64
	Color  drawing.Color
	Dashed bool
	// Right puts the series on the right-hand axis.
	Right bool
}

// lineChart is a time-series chart: x is seconds since the start of the
// run, one or two y axes.
type lineChart struct {
	Title       string // for screen readers (<title>), the page shows its own heading
	Xs          []float64
	EndS        float64 // the run's duration: the x axis ends here
	Left, Right string  // axis names
	Lines       []line
}

// svg renders c as an inline SVG element.
//
// Two quirks of go-chart v2.1.2 shape this code. Its primary y axis is
// drawn on the right and its secondary on the left; and when the
// secondary axis has explicit ticks, getRanges sets its range from the
// primary axis's ticks. So the left-hand series go on the secondary axis
// scaled into the primary's units, with both axes ticked at the same
// positions and the left ticks labelled in the left series' own units.
// Explicit ticks also keep the labels round and the output stable.
func (c lineChart) svg() (string, error) {
	ch, ok := c.build()
	if !ok {
		return "", nil
	}
	return render(ch, c.Title)
}

// build lays c out as a go-chart chart; ok is false when there is nothing
// to draw (fewer than two points or no series).
func (c lineChart) build() (ch chart.Chart, ok bool) {
	if len(c.Xs) < 2 || len(c.Lines) == 0 {
		return ch, false
	}
	ltop, rtop := 0.0, 0.0
	hasRight := false
	for _, l := range c.Lines {
		m := maxOf(l.Ys)
		if l.Right {
			rtop, hasRight = max(rtop, m), true
		} else {
			ltop = max(ltop, m)
		}
	}
	lticks, lstep := valueTicks(0, ltop)
	rticks, rstep := lticks, lstep
	if hasRight {
		rticks, rstep = valueTicks(0, rtop)
	}
	// Tick both axes the same number of times so their gridlines coincide.
	n := max(len(lticks), len(rticks))
	lticks, rticks = extendTicks(lticks, lstep, n), extendTicks(rticks, rstep, n)
	scale := rstep / lstep
	left := make([]chart.Tick, n)
	for i := range n {
		left[i] = chart.Tick{Value: rticks[i].Value, Label: lticks[i].Label}
	}

	xt := timeTicks(c.EndS)
	ch = baseChart()
	ch.XAxis = chart.XAxis{Name: "time", NameStyle: axisText(), Style: axisText(), Ticks: xt}
	ch.YAxis = chart.YAxis{Style: axisText(), NameStyle: axisText(), Ticks: rticks, Name: esc(c.Right)}
	if !hasRight {
		ch.YAxis.Style.Hidden = true
	}
	// go-chart writes the left axis's name rotated by 90 degrees into its
	// tick labels; rotated the other way it reads upwards beside them.
	lname := axisText()
	lname.TextRotationDegrees = 270
	ch.YAxisSecondary = chart.YAxis{Style: axisText(), NameStyle: lname, Ticks: left, Name: esc(c.Left),
		GridMajorStyle: chart.Style{StrokeColor: gridColor, StrokeWidth: 1}}
	for i, l := range c.Lines {
		xs, ys := fit(c.Xs, l.Ys)
		ax := chart.YAxisPrimary
		if !l.Right {
			ys, ax = scaled(ys, scale), chart.YAxisSecondary
		}
		col := l.Color
		if col.IsZero() {
			col = palette[i%len(palette)]
		}
		st := chart.Style{StrokeColor: col, StrokeWidth: 2}
		if l.Dashed {
			st.StrokeDashArray = []float64{6, 4}
		}
		ch.Series = append(ch.Series, chart.ContinuousSeries{Name: esc(l.Name), XValues: xs, YValues: ys,
			YAxis: ax, Style: st})
	}
	ch.Elements = []chart.Renderable{legend(&ch)}
	return ch, true
}

// font is go-chart's embedded Roboto, loaded once here: go-chart's own
// lazy load reads its global without the lock, a data race when several
// reports render at once.
var font = sync.OnceValue(func() *truetype.Font {
	f, err := chart.GetDefaultFont()
	if err != nil {
		return nil // go-chart then reports the error from Render
	}
	return f
})

// baseChart returns a chart with the report's size, font, padding (room
// for the legend above the plot) and colours.
func baseChart() chart.Chart {
	return chart.Chart{
		Width: chartWidth, Height: chartHeight, Font: font(),
		Background: chart.Style{Padding: chart.Box{Top: 50, Left: 40, Right: 20, Bottom: 10}},
		Canvas:     chart.Style{FillColor: drawing.ColorWhite},
	}
}

// axisText is the style of axis lines, ticks and labels.
func axisText() chart.Style {
	return chart.Style{FontSize: 10, FontColor: axisColor, StrokeColor: axisColor, StrokeWidth: 1}
}

// render draws ch as SVG and fixes the output up for inlining in HTML.
func render(ch chart.Chart, title string) (string, error) {
	var buf bytes.Buffer
	if err := ch.Render(chart.SVG, &buf); err != nil {
		return "", fmt.Errorf("report: chart %q: %w", title, err)
	}
	return inlineSVG(buf.String(), title), nil
}

// inlineSVG prepares go-chart's SVG for inlining in an HTML page: HTML5
// needs no XML namespaces (dropping them leaves the page without a single
// URL), and a <title> names the chart for screen readers.
func inlineSVG(s, title string) string {
	s = strings.Replace(s, ` xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink"`, "", 1)
	s = strings.Replace(s, "<svg ", `<svg role="img" `, 1)
	if i := strings.Index(s, ">"); i >= 0 && title != "" {
		s = s[:i+1] + "<title>" + html.EscapeString(title) + "</title>" + s[i+1:]
	}
	return s
}

// esc escapes text for go-chart, which writes labels into the SVG
// verbatim.
func esc(s string) string { return html.EscapeString(s) }

// extendTicks appends ticks at step until there are n.
func extendTicks(t []chart.Tick, step float64, n int) []chart.Tick {
	for len(t) < n {
		v := t[len(t)-1].Value + step
		t = append(t, chart.Tick{Value: v, Label: tickLabel(v, step)})
	}
	return t
}

// fit pairs xs with ys for go-chart, which indexes both by the same
// position and draws a NaN at a nonsense pixel: the longer is cut to the
// shorter, and a value that is not finite becomes 0.
func fit(xs, ys []float64) ([]float64, []float64) {
	n := min(len(xs), len(ys))
	out := make([]float64, n)
	for i, y := range ys[:n] {
		if finite(y) {
			out[i] = y
		}
	}
	return xs[:n], out
}

// scaled returns ys times f.
func scaled(ys []float64, f float64) []float64 {
	if f == 1 {
		return ys
	}
	out := make([]float64, len(ys))
	for i, y := range ys {
		out[i] = y * f
	}
	return out
}

func maxOf(ys []float64) float64 {
	m := 0.0
	for _, y := range ys {
		if finite(y) {
			m = math.Max(m, y)
		}
	}
	return m
}
