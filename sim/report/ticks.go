package report

import (
	"math"
	"strconv"
	"strings"
)

// maxTicks bounds the number of intervals on an axis of the Markdown
// report's text scatter.
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
