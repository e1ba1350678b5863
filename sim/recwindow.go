package sim

import "time"

// recWindow holds what the recorder counted of the requests since its
// window [lo, hi) opened, for the timelines. A request's arrival and end
// each added to two timelines' counters (the totals' and its service's)
// and its latency to a histogram, each through the timeline's interval
// lookup: 9 % of spike.yaml's instructions. Counters are sums and a
// histogram does not depend on the order of its records, so adding them
// once per window, at its start, leaves every interval as it was.
//
// The window is one interval of the recorder's width, which every
// timeline's interval contains whatever its downsampling has merged: a
// timeline's intervals are that width times a power of two, from 0.
type recWindow struct {
	lo, hi              time.Duration
	arrivals, completed int64
	// perArrivals and perCompleted count by service, for the services'
	// own timelines (recorder.per).
	perArrivals, perCompleted []int64
	// lats are the window's latencies not yet in the totals' histogram;
	// a few thousand at most (recWindowLats), recorded when full.
	lats []time.Duration
}

// recWindowLats bounds the latencies a window holds before it records
// them: 16 KB.
const recWindowLats = 2048

func (w *recWindow) init(services int) {
	w.perArrivals = make([]int64, services)
	w.perCompleted = make([]int64, services)
	w.lats = make([]time.Duration, 0, recWindowLats)
}

// window makes sure the window holds now, flushing the counts of the window
// before.
func (c *recorder) window(now time.Duration) *recWindow {
	w := &c.win
	if now >= w.hi {
		c.flush()
		w.lo = now - now%c.width
		w.hi = w.lo + c.width
	}
	return w
}

// flush adds the window's counts and latencies to the timelines.
func (c *recorder) flush() {
	w := &c.win
	if w.arrivals > 0 {
		c.tl.Add(cArrivals, w.lo, w.arrivals)
	}
	if w.completed > 0 {
		c.tl.Add(cCompleted, w.lo, w.completed)
	}
	w.arrivals, w.completed = 0, 0
	for i, per := range c.per {
		if n := w.perArrivals[i]; n > 0 {
			per.Add(cArrivals, w.lo, n)
			w.perArrivals[i] = 0
		}
		if n := w.perCompleted[i]; n > 0 {
			per.Add(cCompleted, w.lo, n)
			w.perCompleted[i] = 0
		}
	}
	c.flushLatencies()
}

// flushLatencies adds the window's latencies to the totals' histogram:
// what a full buffer needs, without the walk of every service's counts
// (a thousand in large.yaml) that a window's end needs.
func (c *recorder) flushLatencies() {
	w := &c.win
	c.tl.ObserveAll(lLatency, w.lo, w.lats)
	w.lats = w.lats[:0]
}
