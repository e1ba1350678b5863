package report

import (
	"sort"

	chart "github.com/wcharczuk/go-chart/v2"
	"github.com/wcharczuk/go-chart/v2/drawing"
)

// scatterChart plots labelled points, with a subset (the Pareto front)
// joined by a line and drawn in a second colour.
type scatterChart struct {
	Title  string
	XName  string
	YName  string
	Points []point
	Labels []string
	Front  []bool
}

// svg renders the scatter as an inline SVG element (empty with no
// points).
func (c scatterChart) svg() (string, error) {
	ch, ok := c.build()
	if !ok {
		return "", nil
	}
	return render(ch, c.Title)
}

// build lays the scatter out. As in lineChart, the visible y axis is
// go-chart's secondary (left-hand) one, ticked at the hidden primary
// axis's positions; here both are in the same units.
func (c scatterChart) build() (ch chart.Chart, ok bool) {
	if len(c.Points) == 0 {
		return ch, false
	}
	var xs, ys, fx, fy []float64
	var notes []chart.Value2
	for i, p := range c.Points {
		xs, ys = append(xs, p.Cost), append(ys, p.P99)
		notes = append(notes, chart.Value2{XValue: p.Cost, YValue: p.P99, Label: esc(c.Labels[i])})
	}
	var front []point
	for i, p := range c.Points {
		if c.Front[i] {
			front = append(front, p)
		}
	}
	sort.SliceStable(front, func(i, j int) bool { return front[i].Cost < front[j].Cost })
	for _, p := range front {
		fx, fy = append(fx, p.Cost), append(fy, p.P99)
	}
	xt, _ := valueTicks(padded(xs))
	yt, _ := valueTicks(padded(ys))

	ch = baseChart()
	ch.XAxis = chart.XAxis{Name: esc(c.XName), NameStyle: axisText(), Style: axisText(), Ticks: xt}
	ch.YAxis = chart.YAxis{Style: chart.Style{Hidden: true}, Ticks: yt}
	lname := axisText()
	lname.TextRotationDegrees = 270
	ch.YAxisSecondary = chart.YAxis{Style: axisText(), NameStyle: lname, Ticks: yt, Name: esc(c.YName),
		GridMajorStyle: chart.Style{StrokeColor: gridColor, StrokeWidth: 1}}
	runs := drawing.ColorFromHex("0072B2")
	hi := drawing.ColorFromHex("D55E00")
	ch.Series = []chart.Series{
		chart.ContinuousSeries{Name: "runs", XValues: xs, YValues: ys, YAxis: chart.YAxisSecondary,
			Style: chart.Style{StrokeWidth: chart.Disabled, DotWidth: 5, DotColor: runs, StrokeColor: runs}},
		chart.ContinuousSeries{Name: "Pareto front", XValues: fx, YValues: fy, YAxis: chart.YAxisSecondary,
			Style: chart.Style{StrokeWidth: 2, StrokeColor: hi, DotWidth: 7, DotColor: hi}},
		chart.AnnotationSeries{Annotations: notes, YAxis: chart.YAxisSecondary,
			Style: chart.Style{FontSize: 8, FontColor: axisColor, StrokeColor: gridColor, FillColor: drawing.ColorWhite}},
	}
	ch.Elements = []chart.Renderable{legend(&ch)}
	return ch, true
}

// padded returns the bounds of vs widened by 5% each side (never below
// zero) so no point sits on an axis.
func padded(vs []float64) (lo, hi float64) {
	lo, hi = vs[0], vs[0]
	for _, v := range vs {
		lo, hi = min(lo, v), max(hi, v)
	}
	pad := (hi - lo) * 0.05
	if pad == 0 {
		pad = max(hi*0.05, 1)
	}
	return max(lo-pad, 0), hi + pad
}
