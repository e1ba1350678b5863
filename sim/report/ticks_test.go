package report

import (
	"strings"
	"testing"
)

func TestNiceStepAndTickLabel(t *testing.T) {
	for _, c := range []struct {
		span float64
		step float64
	}{{198, 25}, {15475.4, 2000}, {0.7, 0.1}, {30000, 5000}, {0, 1}} {
		if got := niceStep(c.span); got != c.step {
			t.Errorf("niceStep(%v) = %v, want %v", c.span, got, c.step)
		}
	}
	for _, c := range []struct {
		v, step float64
		want    string
	}{{16000, 2000, "16k"}, {1.5e6, 5e5, "1.5M"}, {0.25, 0.25, "0.25"}, {0.3, 0.1, "0.3"}, {125, 25, "125"}, {0, 0.1, "0"}} {
		if got := tickLabel(c.v, c.step); got != c.want {
			t.Errorf("tickLabel(%v, %v) = %q, want %q", c.v, c.step, got, c.want)
		}
	}
}

func TestSparkline(t *testing.T) {
	line, top := sparkline([]float64{0, 1, 2, 4, 8}, 60)
	if line != "▁▂▂▄█" || top != 8 {
		t.Errorf("sparkline = %q peak %v", line, top)
	}
	line, top = sparkline(make([]float64, 120), 60)
	if line != strings.Repeat("▁", 60) || top != 0 {
		t.Errorf("all zero: %q peak %v", line, top)
	}
	if got := downsample([]float64{1, 9, 2, 3}, 2); got[0] != 9 || got[1] != 3 {
		t.Errorf("downsample keeps peaks: %v", got)
	}
}

func TestFormat(t *testing.T) {
	for got, want := range map[string]string{
		fmtInt(329952):      "329,952",
		fmtInt(-1234):       "-1,234",
		fmtNum(173971.129):  "173,971.129",
		fmtNum(-0.5):        "-0.5",
		fmtNum(2):           "2",
		fmtClock(5400):      "1h30m",
		fmtClock(90):        "1m30s",
		fmtPercent(12, 400): "3.00%",
	} {
		if got != want {
			t.Errorf("got %q, want %q", got, want)
		}
	}
}
