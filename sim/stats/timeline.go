package stats

import (
	"errors"
	"fmt"
	"time"
)

// CounterID, GaugeID and LatencyID name a Timeline column: the index of its
// name in TimelineConfig.Counters, .Gauges or .Latencies.
type (
	CounterID int
	GaugeID   int
	LatencyID int
)

// TimelineConfig fixes a Timeline's resolution, memory cap and columns.
type TimelineConfig struct {
	// Width is the initial interval width, e.g. 10s of virtual time.
	Width time.Duration
	// MaxIntervals caps the number of intervals kept. When a sample falls
	// beyond the cap, adjacent intervals merge pairwise and Width doubles, as
	// often as needed: memory stays fixed and the whole run stays covered.
	MaxIntervals int
	// Counters sum per interval (arrivals, completions, rejections).
	Counters []string
	// Gauges hold a level that persists between updates (outstanding
	// requests, instances); per interval they report min, max, last and the
	// time-weighted mean. Every gauge starts at 0 at time 0.
	Gauges []string
	// Latencies keep one Histogram per interval that has observations.
	Latencies []string
}

// Timeline buckets samples into fixed-width intervals of virtual time.
//
// Samples may arrive in any order for counters and latencies, but a gauge's
// Set at a time earlier than its previous Set is treated as happening at the
// previous time, since a level's history cannot be rewritten. Negative times
// count as 0. Recording never allocates, except the first latency observation
// in an interval, which takes a Histogram (about 19 KB) from a free list that
// downsampling refills. A Timeline is not safe for concurrent use.
type Timeline struct {
	cfg   TimelineConfig
	width time.Duration
	n     int           // intervals in use, [0, n); every cell at or past n is clean
	now   time.Duration // latest time seen

	counters []int64      // MaxIntervals × len(Counters), interval-major
	gauges   []gaugeCell  // MaxIntervals × len(Gauges)
	levels   []gaugeLevel // per gauge: its value and since when
	lats     []*Histogram // MaxIntervals × len(Latencies); nil until used
	free     []*Histogram

	// lo, hi and at cache the interval [lo, hi) = at of the last index
	// call: samples come in runs within one interval, and a hit skips a
	// division. Downsampling clears it (hi = 0).
	lo, hi time.Duration
	at     int
}

// gaugeCell is one gauge's record for one interval. area is ∫ value dt over
// the part of the interval the gauge has been integrated through, in value·ns.
type gaugeCell struct {
	min, max, last, area float64
	seen                 bool
}

type gaugeLevel struct {
	v  float64
	at time.Duration
}

// NewTimeline returns an empty timeline, with all its fixed storage allocated.
func NewTimeline(cfg TimelineConfig) (*Timeline, error) {
	if cfg.Width <= 0 {
		return nil, fmt.Errorf("stats: timeline width must be > 0, got %v", cfg.Width)
	}
	if cfg.MaxIntervals < 2 {
		return nil, fmt.Errorf("stats: timeline max intervals must be ≥ 2, got %d", cfg.MaxIntervals)
	}
	seen := map[string]bool{}
	for _, names := range [][]string{cfg.Counters, cfg.Gauges, cfg.Latencies} {
		for _, name := range names {
			if name == "" {
				return nil, errors.New("stats: timeline column names must be non-empty")
			}
			if seen[name] {
				return nil, fmt.Errorf("stats: timeline column %q is declared twice", name)
			}
			seen[name] = true
		}
	}
	m := cfg.MaxIntervals
	return &Timeline{
		cfg:      cfg,
		width:    cfg.Width,
		counters: make([]int64, m*len(cfg.Counters)),
		gauges:   make([]gaugeCell, m*len(cfg.Gauges)),
		levels:   make([]gaugeLevel, len(cfg.Gauges)),
		lats:     make([]*Histogram, m*len(cfg.Latencies)),
	}, nil
}

// Width returns the current interval width (the configured one, doubled once
// per downsampling).
func (t *Timeline) Width() time.Duration { return t.width }

// Len returns the number of intervals in use.
func (t *Timeline) Len() int { return t.n }

// Now returns the latest time any sample or Advance has mentioned.
func (t *Timeline) Now() time.Duration { return t.now }

// Add adds n to counter c in the interval holding at.
func (t *Timeline) Add(c CounterID, at time.Duration, n int64) {
	i := t.index(at)
	t.counters[i*len(t.cfg.Counters)+int(c)] += n
}

// Observe records latency d in the interval holding at.
func (t *Timeline) Observe(l LatencyID, at, d time.Duration) {
	t.latency(l, at).Record(d)
}

// ObserveAll records every latency of ds in the interval holding at, as
// Observe would one by one (Histogram.RecordAll); none opens no interval.
func (t *Timeline) ObserveAll(l LatencyID, at time.Duration, ds []time.Duration) {
	if len(ds) > 0 {
		t.latency(l, at).RecordAll(ds)
	}
}

// latency is latency column l's histogram of the interval holding at,
// taken when the interval has none yet.
func (t *Timeline) latency(l LatencyID, at time.Duration) *Histogram {
	i := t.index(at)
	k := i*len(t.cfg.Latencies) + int(l)
	h := t.lats[k]
	if h == nil {
		h = t.histogram()
		t.lats[k] = h
	}
	return h
}

// Set changes gauge g to v at time at.
func (t *Timeline) Set(g GaugeID, at time.Duration, v float64) {
	lv := &t.levels[g]
	if at < lv.at {
		at = lv.at
	}
	t.integrate(g, at)
	lv.v = v
	i := t.index(at)
	t.gauges[i*len(t.cfg.Gauges)+int(g)].include(v)
}

// Advance moves the timeline's notion of now to at (if later), carrying every
// gauge's level up to it. Call it at the end of a run so the last intervals
// account for the time since each gauge last changed.
func (t *Timeline) Advance(at time.Duration) {
	if at > t.now {
		t.now = at
	}
	for g := range t.levels {
		t.integrate(GaugeID(g), t.now)
	}
}

// GaugeStats summarises a gauge over one interval.
type GaugeStats struct {
	Min, Max, Last float64
	Mean           float64 // time-weighted over the covered part of the interval
}

// Interval is one row of a Timeline, as reports read it. Columns are in the
// order of the TimelineConfig names.
type Interval struct {
	Start, End time.Duration // End is Start+Width, or Now for the last interval
	Counters   []int64
	Gauges     []GaugeStats
	Latencies  []Summary // zero Summary where an interval has no observations
}

// Intervals advances to Now and returns every interval in use. It allocates;
// call it when writing a report, not per event.
func (t *Timeline) Intervals() []Interval {
	t.Advance(t.now)
	nc, ng, nl := len(t.cfg.Counters), len(t.cfg.Gauges), len(t.cfg.Latencies)
	out := make([]Interval, t.n)
	for i := range out {
		start := time.Duration(i) * t.width
		end := min(start+t.width, t.now)
		iv := Interval{
			Start:     start,
			End:       end,
			Counters:  append([]int64(nil), t.counters[i*nc:(i+1)*nc]...),
			Gauges:    make([]GaugeStats, ng),
			Latencies: make([]Summary, nl),
		}
		for g := 0; g < ng; g++ {
			iv.Gauges[g] = t.gauges[i*ng+g].stats(end-start, t.levels[g].v)
		}
		for l := 0; l < nl; l++ {
			if h := t.lats[i*nl+l]; h != nil {
				iv.Latencies[l] = h.Summary()
			}
		}
		out[i] = iv
	}
	return out
}

// Config returns the configuration the timeline was built with.
func (t *Timeline) Config() TimelineConfig { return t.cfg }

// index returns the interval holding at, opening it (and downsampling if it
// lies past the cap), and moves now forward.
func (t *Timeline) index(at time.Duration) int {
	if at < 0 {
		at = 0
	}
	if at > t.now {
		t.now = at
	}
	if at >= t.lo && at < t.hi {
		return t.at
	}
	i := int(at / t.width)
	for i >= t.cfg.MaxIntervals {
		t.downsample()
		i = int(at / t.width)
	}
	if i >= t.n {
		t.n = i + 1
	}
	t.lo = time.Duration(i) * t.width
	t.hi, t.at = t.lo+t.width, i
	return i
}

// integrate carries gauge g's current level from when it was set up to to,
// crediting each interval it crosses.
func (t *Timeline) integrate(g GaugeID, to time.Duration) {
	lv := &t.levels[g]
	ng := len(t.cfg.Gauges)
	for lv.at < to {
		i := t.index(lv.at)
		end := min(time.Duration(i+1)*t.width, to)
		cell := &t.gauges[i*ng+int(g)]
		cell.include(lv.v)
		cell.area += lv.v * float64(end-lv.at)
		lv.at = end
	}
}

// downsample merges intervals pairwise, (0,1)→0, (2,3)→1, ..., and doubles
// the width, so the same storage covers twice the time.
func (t *Timeline) downsample() {
	nc, ng, nl := len(t.cfg.Counters), len(t.cfg.Gauges), len(t.cfg.Latencies)
	half := (t.n + 1) / 2
	for i := 0; i < half; i++ {
		a, b := 2*i, 2*i+1
		for c := 0; c < nc; c++ {
			sum := t.counters[a*nc+c]
			if b < t.n {
				sum += t.counters[b*nc+c]
			}
			t.counters[i*nc+c] = sum
		}
		for g := 0; g < ng; g++ {
			cell := t.gauges[a*ng+g]
			if b < t.n {
				cell.merge(t.gauges[b*ng+g])
			}
			t.gauges[i*ng+g] = cell
		}
		for l := 0; l < nl; l++ {
			ha := t.lats[a*nl+l]
			var hb *Histogram
			if b < t.n {
				hb = t.lats[b*nl+l]
			}
			switch {
			case ha == nil:
				ha = hb
			case hb != nil:
				ha.Merge(hb)
				t.release(hb)
			}
			t.lats[i*nl+l] = ha
		}
	}
	// Clean the vacated tail so cells past n stay zero.
	clear(t.counters[half*nc : t.n*nc])
	clear(t.gauges[half*ng : t.n*ng])
	clear(t.lats[half*nl : t.n*nl])
	t.n = half
	t.width *= 2
	t.hi = 0
}

func (t *Timeline) histogram() *Histogram {
	if k := len(t.free); k > 0 {
		h := t.free[k-1]
		t.free = t.free[:k-1]
		return h
	}
	return new(Histogram)
}

func (t *Timeline) release(h *Histogram) {
	h.Reset()
	t.free = append(t.free, h)
}

func (c *gaugeCell) include(v float64) {
	if !c.seen {
		c.min, c.max, c.seen = v, v, true
	} else {
		c.min = min(c.min, v)
		c.max = max(c.max, v)
	}
	c.last = v
}

// merge folds the later interval o into c.
func (c *gaugeCell) merge(o gaugeCell) {
	if !o.seen {
		return
	}
	if !c.seen {
		*c = o
		return
	}
	c.min = min(c.min, o.min)
	c.max = max(c.max, o.max)
	c.last = o.last
	c.area += o.area
}

// stats reports the cell over covered ns of its interval. An interval the
// gauge never reached lies at or past the gauge's last change, so its level
// throughout was the current one.
func (c gaugeCell) stats(covered time.Duration, current float64) GaugeStats {
	if !c.seen {
		return GaugeStats{Min: current, Max: current, Last: current, Mean: current}
	}
	mean := c.last
	if covered > 0 {
		mean = c.area / float64(covered)
	}
	return GaugeStats{Min: c.min, Max: c.max, Last: c.last, Mean: mean}
}
