package report

import (
	"fmt"
	"math"
	"strconv"
	"strings"
)

// fmtInt formats n with thousands separators (329,952): the tables are for
// people, report.json keeps the raw figures.
func fmtInt(n int64) string {
	s := strconv.FormatInt(n, 10)
	neg := strings.HasPrefix(s, "-")
	if neg {
		s = s[1:]
	}
	var b strings.Builder
	if neg {
		b.WriteByte('-')
	}
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	return b.String()
}

// fmtNum formats f with at most three decimals, no trailing zeros, and
// thousands separators in its integer part.
func fmtNum(f float64) string {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return strconv.FormatFloat(f, 'f', -1, 64)
	}
	s := strconv.FormatFloat(f, 'f', 3, 64)
	s = strings.TrimRight(strings.TrimRight(s, "0"), ".")
	if s == "-0" {
		s = "0"
	}
	intPart, frac, hasFrac := strings.Cut(s, ".")
	n, err := strconv.ParseInt(intPart, 10, 64)
	if err != nil {
		return s
	}
	out := fmtInt(n)
	if intPart == "-0" {
		out = "-0"
	}
	if hasFrac {
		out += "." + frac
	}
	return out
}

// fmtMS formats a latency in milliseconds.
func fmtMS(f float64) string { return fmtNum(f) + " ms" }

// fmtPercent formats part/whole as a percentage with two decimals.
func fmtPercent(part, whole int64) string {
	if whole == 0 {
		return "0%"
	}
	return strconv.FormatFloat(100*float64(part)/float64(whole), 'f', 2, 64) + "%"
}

// fmtClock formats a time offset in seconds the way scenarios write
// durations: 90 -> "1m30s", 3600 -> "1h", 5400 -> "1h30m".
func fmtClock(sec float64) string {
	s := int64(math.Round(sec))
	if s == 0 {
		return "0"
	}
	h, m, x := s/3600, s%3600/60, s%60
	var b strings.Builder
	if h > 0 {
		fmt.Fprintf(&b, "%dh", h)
	}
	if m > 0 {
		fmt.Fprintf(&b, "%dm", m)
	}
	if x > 0 {
		fmt.Fprintf(&b, "%ds", x)
	}
	return b.String()
}

// fmtBound formats an assertion's bounds: "≥ 100", "≤ 0.01", "[1, 5]".
func fmtBound(min, max *float64) string {
	switch {
	case min != nil && max != nil:
		return "between " + fmtNum(*min) + " and " + fmtNum(*max)
	case min != nil:
		return "≥ " + fmtNum(*min)
	case max != nil:
		return "≤ " + fmtNum(*max)
	}
	return "none"
}

// passFail names an outcome.
func passFail(ok bool) string {
	if ok {
		return "pass"
	}
	return "FAIL"
}
