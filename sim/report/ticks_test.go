package report

import (
	"strings"
	"testing"

	chart "github.com/wcharczuk/go-chart/v2"
)

func labels(ts []chart.Tick) string {
	var s []string
	for _, t := range ts {
		s = append(s, t.Label)
	}
	return strings.Join(s, " ")
}

func TestValueTicks(t *testing.T) {
	for _, c := range []struct {
		lo, hi float64
		want   string
	}{
		{0, 198, "0 25 50 75 100 125 150 175 200"},
		{0, 15475.4, "0 2k 4k 6k 8k 10k 12k 14k 16k"},
		{0, 0, "0 0.2 0.4 0.6 0.8 1"}, // nothing to show: still a valid axis
		{0, 0.7, "0 0.1 0.2 0.3 0.4 0.5 0.6 0.7"},
		{150000, 180000, "150k 155k 160k 165k 170k 175k 180k"},
		{5, 5, "0 1 2 3 4 5"},
	} {
		got, _ := valueTicks(c.lo, c.hi)
		if labels(got) != c.want {
			t.Errorf("valueTicks(%v, %v) = %q, want %q", c.lo, c.hi, labels(got), c.want)
		}
	}
}

func TestTimeTicks(t *testing.T) {
	for _, c := range []struct {
		end  float64
		want string
	}{
		{1800, "0 5m 10m 15m 20m 25m 30m"},
		{120, "0 15s 30s 45s 1m 1m15s 1m30s 1m45s 2m"},
		{86400, "0 3h 6h 9h 12h 15h 18h 21h 24h"},
		{1500, "0 5m 10m 15m 20m 25m"},
	} {
		if got := labels(timeTicks(c.end)); got != c.want {
			t.Errorf("timeTicks(%v) = %q, want %q", c.end, got, c.want)
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
