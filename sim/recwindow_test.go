package sim

import (
	"testing"
	"time"

	"github.com/waiter-go/waiter/sim/scenario"
)

// The recorder counts a window of requests before it adds them to the
// timelines (recWindow). Arrivals here fall on every whole second, so
// one on each interval boundary: added to the window before, the
// interval it opens would count one too few and the one before one too
// many. 1,200 one-second intervals outgrow the timelines' 512, which then
// merge theirs (and double their width) twice during the run, while the
// window stays one second wide.
func TestWindowedCountsLandInTheirIntervals(t *testing.T) {
	sc, err := scenario.Parse("boundaries", []byte(`name: boundaries
duration: 20m
report: {interval: 1s}
services:
  - name: s
    startup: 1s
    service-time: 500ms
    load: {kind: constant, rate: 1, arrivals: deterministic}
`))
	if err != nil {
		t.Fatal(err)
	}
	var arrivals []time.Duration
	_, rep := runJSON(t, sc, Options{OnArrival: func(at time.Duration, _ string) { arrivals = append(arrivals, at) }})
	for _, ser := range []*Series{&rep.Series, rep.Services[0].Series} {
		if ser.IntervalS != 4 {
			t.Fatalf("interval %v s, want 4 (1 s merged twice)", ser.IntervalS)
		}
		want := make([]int64, len(ser.Arrivals))
		onBoundary := 0
		for _, at := range arrivals {
			want[at/(4*time.Second)]++
			if at%(4*time.Second) == 0 {
				onBoundary++
			}
		}
		if onBoundary < 100 {
			t.Fatalf("%d arrivals on an interval's start, want hundreds", onBoundary)
		}
		var completed int64
		for i := range want {
			if ser.Arrivals[i] != want[i] {
				t.Errorf("interval %d: %d arrivals, want %d", i, ser.Arrivals[i], want[i])
			}
			completed += ser.Completed[i]
		}
		if completed != rep.Totals.Completed {
			t.Errorf("the intervals count %d completed, the totals %d", completed, rep.Totals.Completed)
		}
	}
}
