package report

import (
	"io"
	"strings"
	"testing"

	"github.com/waiter-go/waiter/sim"
)

func TestParetoFront(t *testing.T) {
	pts := []point{
		{Cost: 100, P99: 900}, // front: cheapest
		{Cost: 150, P99: 500}, // front
		{Cost: 160, P99: 600}, // dominated by 150/500
		{Cost: 200, P99: 100}, // front: fastest
		{Cost: 200, P99: 100}, // equal to the previous: also on the front
		{Cost: 100, P99: 950}, // same cost as the first, slower: dominated
	}
	got := paretoFront(pts)
	want := []bool{true, true, false, true, true, false}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("point %d %+v: front=%v, want %v", i, pts[i], got[i], want[i])
		}
	}
}

func sweepFixture() ([]string, []*sim.Report) {
	values := []string{"0.05", "0.1", "0.3", "weird<&>"}
	costs := []float64{150000, 170000, 180000, 175000}
	p99s := []float64{8000, 5000, 2000, 6000}
	var reps []*sim.Report
	for i := range values {
		r := fixture()
		r.Totals.InstanceSeconds, r.Totals.LatencyMS.P99 = costs[i], p99s[i]
		reps = append(reps, r)
	}
	return values, reps
}

func TestSweepListsTheFront(t *testing.T) {
	values, reps := sweepFixture()
	md := write(t, func(w io.Writer) error { return WriteSweepMarkdown(w, "scale-up-factor", values, reps) })
	for _, want := range []string{
		"- scale-up-factor=0.05: 150,000 instance-seconds, p99 8,000 ms",
		"- scale-up-factor=0.1: 170,000 instance-seconds, p99 5,000 ms",
		"- scale-up-factor=0.3: 180,000 instance-seconds, p99 2,000 ms",
		"| 4 | weird<&> | 175,000 | 6,000 ms |",
		"p99 latency (ms)", "instance-seconds",
	} {
		if !strings.Contains(md, want) {
			t.Errorf("sweep Markdown lacks %q", want)
		}
	}
	if strings.Contains(md, "- scale-up-factor=weird") {
		t.Error("a dominated value is listed on the front")
	}
	page := write(t, func(w io.Writer) error { return WriteSweepHTML(w, "scale-up-factor", values, reps) })
	if n := strings.Count(page, `<tr class="front">`); n != 3 {
		t.Errorf("want 3 highlighted rows, got %d", n)
	}
	if strings.Count(page, "<svg") != 1 || strings.Contains(page, "weird<&>") {
		t.Error("want one chart and every label escaped")
	}
	if m := external.FindString(page); m != "" {
		t.Errorf("sweep HTML refers outside itself: %q", m)
	}
}

func TestSweepNeedsAValuePerRun(t *testing.T) {
	_, reps := sweepFixture()
	if err := WriteSweepMarkdown(io.Discard, "p", []string{"1"}, reps); err == nil {
		t.Error("want an error when values and runs differ in number")
	}
}
