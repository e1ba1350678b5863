package stats

import (
	"slices"
	"strings"
	"testing"
	"time"

	"pgregory.net/rapid"
)

const (
	arrivals CounterID = iota
)

const (
	outstanding GaugeID = iota
	instances
)

const (
	latency LatencyID = iota
)

// newTL builds the test timeline; t is a *testing.T or a *rapid.T.
func newTL(t interface{ Fatal(...any) }, width time.Duration, maxIntervals int) *Timeline {
	tl, err := NewTimeline(TimelineConfig{
		Width:        width,
		MaxIntervals: maxIntervals,
		Counters:     []string{"arrivals"},
		Gauges:       []string{"outstanding", "instances"},
		Latencies:    []string{"latency"},
	})
	if err != nil {
		t.Fatal(err)
	}
	return tl
}

func TestTimelineCountersAndLatency(t *testing.T) {
	tl := newTL(t, 10*time.Second, 100)
	tl.Add(arrivals, 1*time.Second, 1)
	tl.Add(arrivals, 9*time.Second, 2)
	tl.Add(arrivals, 10*time.Second, 5) // boundary belongs to the next interval
	tl.Observe(latency, 12*time.Second, 30*time.Millisecond)
	tl.Observe(latency, 15*time.Second, 10*time.Millisecond)
	iv := tl.Intervals()
	if len(iv) != 2 {
		t.Fatalf("%d intervals, want 2", len(iv))
	}
	if iv[0].Counters[0] != 3 || iv[1].Counters[0] != 5 {
		t.Fatalf("counters %v %v", iv[0].Counters, iv[1].Counters)
	}
	if iv[0].Latencies[0].Count != 0 || iv[1].Latencies[0].Count != 2 || iv[1].Latencies[0].Max != 30*time.Millisecond {
		t.Fatalf("latencies %+v %+v", iv[0].Latencies, iv[1].Latencies)
	}
	if iv[1].Start != 10*time.Second || iv[1].End != 15*time.Second {
		t.Fatalf("last interval [%v,%v), want [10s,15s)", iv[1].Start, iv[1].End)
	}
}

func TestTimelineGaugeIsTimeWeighted(t *testing.T) {
	tl := newTL(t, 10*time.Second, 100)
	tl.Set(instances, 5*time.Second, 10) // 0 for 5s, then 10
	tl.Set(instances, 12*time.Second, 4)
	tl.Advance(30 * time.Second)
	iv := tl.Intervals()
	if len(iv) != 3 {
		t.Fatalf("%d intervals, want 3", len(iv))
	}
	want := []GaugeStats{
		{Min: 0, Max: 10, Last: 10, Mean: 5},
		{Min: 4, Max: 10, Last: 4, Mean: (2*10 + 8*4) / 10.0},
		{Min: 4, Max: 4, Last: 4, Mean: 4},
	}
	for i, w := range want {
		if got := iv[i].Gauges[instances]; got != w {
			t.Errorf("interval %d: %+v, want %+v", i, got, w)
		}
		if got := iv[i].Gauges[outstanding]; got != (GaugeStats{}) {
			t.Errorf("interval %d: untouched gauge %+v, want zeros", i, got)
		}
	}
	// A Set in the past is applied at the gauge's latest time.
	// Here that is 30s, which opens interval [30s,40s).
	tl.Set(instances, time.Second, 7)
	iv = tl.Intervals()
	if got := iv[len(iv)-1]; len(iv) != 4 || got.Start != 30*time.Second || got.Gauges[instances].Last != 7 {
		t.Errorf("late Set not applied at the latest time: %+v", iv)
	}
	if got := iv[0].Gauges[instances]; got != want[0] {
		t.Errorf("late Set rewrote history: %+v", got)
	}
}

func TestTimelineDownsamplesWithinCap(t *testing.T) {
	tl := newTL(t, time.Second, 4)
	for s := 0; s < 16; s++ {
		tl.Add(arrivals, time.Duration(s)*time.Second, 1)
	}
	if tl.Width() != 4*time.Second || tl.Len() != 4 {
		t.Fatalf("width %v len %d, want 4s and 4", tl.Width(), tl.Len())
	}
	for i, iv := range tl.Intervals() {
		if iv.Counters[0] != 4 {
			t.Fatalf("interval %d holds %d arrivals, want 4", i, iv.Counters[0])
		}
	}
	// Far past the cap: one jump doubles as often as needed.
	tl.Add(arrivals, 100*time.Second, 1)
	if tl.Len() > 4 || tl.Width() != 32*time.Second {
		t.Fatalf("width %v len %d after a jump to 100s", tl.Width(), tl.Len())
	}
}

// Property: a timeline that had to downsample holds exactly what a timeline
// started at the final width holds.
func TestDownsampledEqualsCoarse(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		type ev struct {
			kind int
			at   time.Duration
			v    int
		}
		evs := rapid.SliceOf(rapid.Custom(func(t *rapid.T) ev {
			return ev{
				kind: rapid.IntRange(0, 2).Draw(t, "kind"),
				at:   time.Duration(rapid.IntRange(0, 200).Draw(t, "at")) * time.Second,
				v:    rapid.IntRange(0, 50).Draw(t, "v"),
			}
		})).Draw(t, "events")
		slices.SortStableFunc(evs, func(a, b ev) int { return int(a.at - b.at) })
		fine := newTL(t, time.Second, rapid.IntRange(2, 16).Draw(t, "cap"))
		play := func(tl *Timeline) {
			for _, e := range evs {
				switch e.kind {
				case 0:
					tl.Add(arrivals, e.at, int64(e.v))
				case 1:
					tl.Set(outstanding, e.at, float64(e.v))
				case 2:
					tl.Observe(latency, e.at, time.Duration(e.v)*time.Millisecond)
				}
			}
		}
		play(fine)
		coarse := newTL(t, fine.Width(), 1000)
		play(coarse)
		a, b := fine.Intervals(), coarse.Intervals()
		if len(a) != len(b) {
			t.Fatalf("%d intervals vs %d", len(a), len(b))
		}
		for i := range a {
			if !slices.Equal(a[i].Counters, b[i].Counters) || !slices.Equal(a[i].Gauges, b[i].Gauges) ||
				!slices.Equal(a[i].Latencies, b[i].Latencies) || a[i].Start != b[i].Start || a[i].End != b[i].End {
				t.Fatalf("interval %d:\n downsampled %+v\n coarse      %+v", i, a[i], b[i])
			}
		}
	})
}

func TestTimelineConfigErrors(t *testing.T) {
	cases := map[string]TimelineConfig{
		"width must be > 0":         {MaxIntervals: 10},
		"max intervals must be ≥ 2": {Width: time.Second, MaxIntervals: 1},
		`"x" is declared twice`:     {Width: time.Second, MaxIntervals: 2, Counters: []string{"x"}, Gauges: []string{"x"}},
		"must be non-empty":         {Width: time.Second, MaxIntervals: 2, Latencies: []string{""}},
	}
	for want, cfg := range cases {
		if _, err := NewTimeline(cfg); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%+v: got %v, want %q", cfg, err, want)
		}
	}
}

func TestTimelineRecordingDoesNotAllocate(t *testing.T) {
	tl := newTL(t, 10*time.Second, 64)
	at := time.Duration(0)
	tl.Observe(latency, 0, time.Millisecond) // first observation in an interval takes a histogram
	n := testing.AllocsPerRun(1000, func() {
		at += time.Millisecond
		tl.Add(arrivals, at, 1)
		tl.Set(outstanding, at, float64(at%7))
		tl.Observe(latency, 0, time.Millisecond)
	})
	if n != 0 {
		t.Fatalf("%v allocs per event", n)
	}
}
