package report

import (
	"fmt"
	"io"
	"strings"
)

// sparkWidth is the number of columns of a text sparkline: narrow enough
// for a Markdown code block on GitHub without wrapping.
const sparkWidth = 60

// sparkLevels are the eight heights of a sparkline column.
var sparkLevels = []rune("▁▂▃▄▅▆▇█")

// sparkline draws ys in at most width columns, each column the maximum of
// the points it covers (peaks are what a reader looks for), scaled from 0
// to the series' maximum. It returns the line and that maximum.
func sparkline(ys []float64, width int) (string, float64) {
	cols := downsample(ys, width)
	top := 0.0
	for _, v := range cols {
		top = max(top, v)
	}
	var b strings.Builder
	for _, v := range cols {
		lvl := 0
		if top > 0 && v > 0 {
			lvl = int(v / top * float64(len(sparkLevels)-1))
			lvl = min(max(lvl, 0), len(sparkLevels)-1)
			if lvl == 0 {
				lvl = 1 // a non-zero value never looks like zero
			}
		}
		b.WriteRune(sparkLevels[lvl])
	}
	return b.String(), top
}

// downsample reduces ys to at most width values, each the maximum of a
// contiguous run of points.
func downsample(ys []float64, width int) []float64 {
	if len(ys) <= width {
		return ys
	}
	out := make([]float64, width)
	for i := range width {
		lo, hi := i*len(ys)/width, (i+1)*len(ys)/width
		m := ys[lo]
		for _, v := range ys[lo:hi] {
			m = max(m, v)
		}
		out[i] = m
	}
	return out
}

// sparkRow is one labelled line of a text chart.
type sparkRow struct {
	Label string
	Ys    []float64
	Unit  string
}

// writeSparkBlock writes rows as a fenced code block: a time axis from 0
// to durationS, then one sparkline per row with its peak.
func writeSparkBlock(w io.Writer, durationS float64, rows []sparkRow) {
	lw := len("time")
	n := 0
	for _, r := range rows {
		lw = max(lw, len(r.Label))
		n = max(n, min(len(r.Ys), sparkWidth))
	}
	if n == 0 {
		return
	}
	fmt.Fprintln(w, "```")
	fmt.Fprintf(w, "%-*s  %s\n", lw, "time", timeAxis(durationS, n))
	for _, r := range rows {
		line, top := sparkline(r.Ys, sparkWidth)
		fmt.Fprintf(w, "%-*s  %s  peak %s%s\n", lw, r.Label, line, fmtNum(top), r.Unit)
	}
	fmt.Fprintln(w, "```")
}

// timeAxis labels a line of n columns with 0, the middle and the end time.
func timeAxis(durationS float64, n int) string {
	line := []rune(strings.Repeat("-", n))
	put := func(at int, s string) {
		at = min(max(at, 0), n-len(s))
		if at < 0 {
			return
		}
		copy(line[at:], []rune(s))
	}
	put(0, "0")
	mid := fmtClock(durationS / 2)
	put(n/2-len(mid)/2, mid)
	put(n, fmtClock(durationS))
	return string(line)
}
