package report

import (
	"math"
	"strconv"
	"strings"

	chart "github.com/wcharczuk/go-chart/v2"
)

// maxTicks bounds the number of intervals on an axis; more crowd the labels
// of a 1024-pixel chart.
const maxTicks = 8

// niceStep returns the smallest step of the form {1, 2, 2.5, 5} x 10^k
// that divides span into at most maxTicks intervals.
func niceStep(span float64) float64 {
	if span <= 0 || math.IsNaN(span) || math.IsInf(span, 0) {
		return 1
	}
	raw := span / maxTicks
	mag := math.Pow(10, math.Floor(math.Log10(raw)))
	for _, m := range []float64{1, 2, 2.5, 5, 10} {
		if m*mag >= raw {
			return m * mag
		}
	}
	return 10 * mag
}

// valueTicks returns ticks at multiples of a nice step covering [lo, hi],
// labelled compactly (20k, 1.5M). An empty or flat range gets [0, 1] or a
// range around its single value, so go-chart never sees a zero span.
func valueTicks(lo, hi float64) ([]chart.Tick, float64) {
	if !finite(lo) || !finite(hi) {
		lo, hi = 0, 1
	}
	if hi <= lo {
		switch {
		case hi == 0:
			hi = 1
		case lo > 0:
			lo = 0
		default:
			lo, hi = lo-1, lo+1
		}
	}
	step := niceStep(hi - lo)
	first := math.Floor(lo/step) * step
	n := int(math.Ceil(hi/step - first/step - 1e-9))
	n = max(n, 1)
	ticks := make([]chart.Tick, 0, n+1)
	for i := 0; i <= n; i++ {
		v := first + float64(i)*step
		ticks = append(ticks, chart.Tick{Value: v, Label: tickLabel(v, step)})
	}
	return ticks, step
}

// tickLabel formats v to the precision step needs, with a k or M suffix
// for large round values.
func tickLabel(v, step float64) string {
	suffix := ""
	switch {
	case step >= 1e5:
		v, step, suffix = v/1e6, step/1e6, "M"
	case step >= 100 && math.Abs(v) >= 1000:
		v, step, suffix = v/1e3, step/1e3, "k"
	}
	dec := 0
	if step < 1 {
		dec = int(math.Ceil(-math.Log10(step) - 1e-9))
		if step*math.Pow(10, float64(dec)) != math.Round(step*math.Pow(10, float64(dec))) {
			dec++ // 2.5 x 10^k needs one more digit
		}
	}
	s := strconv.FormatFloat(v, 'f', dec, 64)
	if strings.Contains(s, ".") {
		s = strings.TrimRight(strings.TrimRight(s, "0"), ".")
	}
	if s == "-0" {
		s = "0"
	}
	return s + suffix
}

func finite(f float64) bool { return !math.IsNaN(f) && !math.IsInf(f, 0) }

// clockSteps are the time-axis steps, in seconds, that read well as clock
// offsets.
var clockSteps = []float64{1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800,
	3600, 7200, 10800, 21600, 43200, 86400}

// timeTicks returns ticks from 0 to at least end seconds at a clock step,
// labelled 0, 5m, 10m, 1h30m.
func timeTicks(end float64) []chart.Tick {
	if end <= 0 {
		end = 1
	}
	step := niceStep(end/86400) * 86400
	for _, s := range clockSteps {
		if end/s <= maxTicks {
			step = s
			break
		}
	}
	n := int(math.Ceil(end/step - 1e-9))
	ticks := make([]chart.Tick, 0, n+1)
	for i := 0; i <= n; i++ {
		v := float64(i) * step
		ticks = append(ticks, chart.Tick{Value: v, Label: fmtClock(v)})
	}
	return ticks
}
