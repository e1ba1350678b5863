package report

import (
	"io"
	"reflect"
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
	costs := []float64{540000, 612000, 648000, 630000} // 150, 170, 180 and 175 instance-hours
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
		"- scale-up-factor=0.05: 150 instance-hours, p99 8,000 ms",
		"- scale-up-factor=0.1: 170 instance-hours, p99 5,000 ms",
		"- scale-up-factor=0.3: 180 instance-hours, p99 2,000 ms",
		"| 4 | weird<&> | 175 | 6,000 ms |",
		"p99 latency (ms)", "instance-hours",
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
	if strings.Contains(page, "weird<&>") {
		t.Error("a label is not escaped")
	}
	checkSelfContained(t, page)
	plots := pageData(t, page)
	p, ok := plots["sweep"]
	if !ok || len(plots) != 1 {
		t.Fatalf("want the one scatter, got %d charts", len(plots))
	}
	// The runs go by cost; each is labelled with its # and value.
	wantLabels := []string{"1: scale-up-factor=0.05", "2: scale-up-factor=0.1", "4: scale-up-factor=weird<&>", "3: scale-up-factor=0.3"}
	if !reflect.DeepEqual(p.PointLabels, wantLabels) || *p.X.Values[2] != 175 {
		t.Errorf("points %q at %v", p.PointLabels, p.X.Values)
	}
	// Every legend entry names its series (the old SVG legend had an
	// empty one); the front is a line through its runs only, under the runs'
	// rings, so no run hides behind it.
	if len(p.Series) != 2 || p.Series[0].Label != "Pareto front" || p.Series[1].Label != "runs" {
		t.Fatalf("series %+v", p.Series)
	}
	front, runs := p.Series[0], p.Series[1]
	if !front.Line || !front.SpanGaps || front.Values[2] != nil || *front.Values[3] != 2000 {
		t.Errorf("front %+v", front)
	}
	if runs.Line || !runs.Points || !runs.Hollow || *runs.Values[2] != 6000 {
		t.Errorf("runs %+v", runs)
	}
	if p.X.Time || p.X.Label != "instance-hours" || p.Y.Log {
		t.Errorf("axes %+v %+v: want instance-hours against linear p99 (8,000/2,000 is under the log threshold)", p.X, p.Y)
	}
}

func TestSweepNeedsAValuePerRun(t *testing.T) {
	_, reps := sweepFixture()
	if err := WriteSweepMarkdown(io.Discard, "p", []string{"1"}, reps); err == nil {
		t.Error("want an error when values and runs differ in number")
	}
}
