package report

import (
	"math"
	"strconv"
)

// plot is one interactive chart of an HTML page: the data and everything
// assets/charts.js needs to draw it with uPlot. Every plot has a single y
// axis, so a chart never mixes units (requests per second and a count of
// requests go on separate charts). The writer decides what is drawn and
// how (series, reference lines, shaded windows, the scale); the script
// only draws it.
type plot struct {
	ID    string `json:"id"`
	Title string `json:"title"`
	X     xAxis  `json:"x"`
	Y     yAxis  `json:"y"`
	// Series are drawn in order, so a later one lies on top.
	Series []series `json:"series"`
	Refs   []ref    `json:"refs,omitempty"`
	Bands  []band   `json:"bands,omitempty"`
	// PointLabels names each x value (a sweep's runs); charts.js writes
	// them beside the points and in the legend.
	PointLabels []string `json:"point_labels,omitempty"`

	// Caption says how to read the chart; Notes add what the chart could
	// not show (a limit far above its range). The page prints both.
	Caption string   `json:"-"`
	Notes   []string `json:"-"`
}

// xAxis is the shared x of a plot's series.
type xAxis struct {
	// Time axes are seconds since the start of the run, labelled as
	// clock offsets (5m, 1h30m); the charts of one page with a time axis
	// share the cursor and zoom.
	Time   bool   `json:"time"`
	Label  string `json:"label"`
	Values nums   `json:"values"`
}

// yAxis is a plot's one y axis and its unit.
type yAxis struct {
	Label string `json:"label"`
	// Unit follows each value in the legend ("ms", "instances").
	Unit string `json:"unit"`
	// Log puts the axis on a log scale (latency, where one 15 s cold
	// start would flatten every other point on a linear one). Zero and
	// missing values are then gaps.
	Log bool `json:"log"`
}

// series is one line (or set of points) of a plot.
type series struct {
	Label string  `json:"label"`
	Color string  `json:"color"`
	Width float64 `json:"width"`
	// Dash is a canvas dash pattern in CSS pixels; empty draws solid.
	Dash []float64 `json:"dash,omitempty"`
	// Points marks each value, PointSize across in CSS pixels, Hollow as
	// a ring (which shows a point of another series under it); Line false
	// draws the points alone.
	Points    bool    `json:"points"`
	PointSize float64 `json:"point_size,omitempty"`
	Hollow    bool    `json:"hollow,omitempty"`
	Line      bool    `json:"line"`
	// SpanGaps joins the values across missing ones (a Pareto front
	// through the runs not on it).
	SpanGaps bool `json:"span_gaps"`
	Values   nums `json:"values"`
}

// ref is a horizontal reference line: a limit or an assertion's bound.
type ref struct {
	Value float64 `json:"value"`
	Label string  `json:"label"`
	// Kind is "limit" (max-instances) or "assertion"; charts.js colours
	// them apart.
	Kind string `json:"kind"`
}

// band is a shaded span of the x axis (a fault, a load change, a policy's
// panic mode), or a vertical line when From equals To.
type band struct {
	From  float64 `json:"from"`
	To    float64 `json:"to"`
	Label string  `json:"label"`
	// Kind is "fault", "load" or "panic".
	Kind string `json:"kind"`
	// Color overrides the kind's colour (a policy's panic in a comparison).
	Color string `json:"color,omitempty"`
}

// nums is a series of numbers that encodes a value that is not finite as
// JSON null, which uPlot draws as a gap; encoding/json refuses NaN.
type nums []float64

// MarshalJSON implements json.Marshaler.
func (n nums) MarshalJSON() ([]byte, error) {
	if n == nil {
		return []byte("[]"), nil
	}
	b := make([]byte, 0, 8*len(n)+2)
	b = append(b, '[')
	for i, v := range n {
		if i > 0 {
			b = append(b, ',')
		}
		if finite(v) {
			b = strconv.AppendFloat(b, v, 'g', -1, 64)
		} else {
			b = append(b, "null"...)
		}
	}
	return append(b, ']'), nil
}

// gap is a missing value in a series.
var gap = math.NaN()

// fitTo cuts or pads ys (with gaps) to n values, so every series of a
// plot has one value per x.
func fitTo(ys []float64, n int) nums {
	out := make(nums, n)
	for i := range out {
		out[i] = gap
		if i < len(ys) {
			out[i] = ys[i]
		}
	}
	return out
}

// hasData reports whether any value of ys is finite.
func hasData(ys []float64) bool {
	for _, y := range ys {
		if finite(y) {
			return true
		}
	}
	return false
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

// palette holds the series colours, distinguishable in colour-blind
// vision (Okabe-Ito) and in print.
var palette = []string{
	"#0072B2", // blue
	"#D55E00", // vermillion
	"#009E73", // green
	"#CC79A7", // purple
	"#E69F00", // orange
	"#56B4E9", // sky blue
	"#000000", // black
	"#F0E442", // yellow
}

// Dash patterns, in CSS pixels.
var (
	dashed = []float64{6, 4}
	dotted = []float64{2, 3}
)
