package sim

import (
	"time"

	"github.com/waiter-go/waiter/sim/stats"
)

// recorder keeps the run's time series in fixed-size timelines: one for
// the totals and, for runs of at most maxServiceSeries services, one per
// service (counters and gauges only: a latency column costs ~19 KB per
// interval, too much to keep per service).
type recorder struct {
	r     *Runner
	tl    *stats.Timeline
	width time.Duration
	per   []*stats.Timeline
	// routers holds one timeline per router of a cluster (routers > 1).
	routers []*stats.Timeline
	// win counts the arrivals and ends of requests, and keeps their
	// latencies, for tl and per a window at a time.
	win recWindow
}

// The per-router series.
const (
	rcArrivals stats.CounterID = iota
	rcStolen
)

const (
	rgQueued stats.GaugeID = iota
	rgSlots
	rgBorrowed
	rgOutstanding
)

// maxServiceSeries caps the services that get their own time series.
const maxServiceSeries = 20

const (
	cArrivals stats.CounterID = iota
	cCompleted
	cRejected
)

const (
	gOutstanding stats.GaugeID = iota
	gQueued
	gRequested
	gHealthy
	gTasks
	gDesired
	gPanicking
)

// gauges names the gauges, in GaugeID order.
var gauges = []string{"outstanding", "queued", "requested", "healthy", "tasks", "desired", "panicking"}

const lLatency stats.LatencyID = 0

func newRecorder(r *Runner) *recorder {
	width := SeriesWidth(r.sc)
	tl, err := stats.NewTimeline(stats.TimelineConfig{
		Width: width, MaxIntervals: 512,
		Counters:  []string{"arrivals", "completed", "rejected"},
		Gauges:    gauges,
		Latencies: []string{"latency"},
	})
	if err != nil {
		panic("sim: timeline config: " + err.Error()) // constant config
	}
	c := &recorder{r: r, tl: tl, width: width}
	if len(r.svcs) <= maxServiceSeries && r.trace == nil {
		for range r.svcs {
			per, err := stats.NewTimeline(stats.TimelineConfig{
				Width: width, MaxIntervals: 512,
				Counters: []string{"arrivals", "completed", "rejected"},
				Gauges:   gauges,
			})
			if err != nil {
				panic("sim: timeline config: " + err.Error())
			}
			c.per = append(c.per, per)
		}
	}
	c.win.init(len(c.per))
	if len(r.rts) > 1 {
		for range r.rts {
			tl, err := stats.NewTimeline(stats.TimelineConfig{
				Width: width, MaxIntervals: 512,
				Counters: []string{"arrivals", "stolen"},
				Gauges:   []string{"queued", "slots", "borrowed", "outstanding"},
			})
			if err != nil {
				panic("sim: timeline config: " + err.Error())
			}
			c.routers = append(c.routers, tl)
		}
	}
	return c
}

func (c *recorder) routerArrival(rt *routerState) {
	if rt.idx < len(c.routers) {
		c.routers[rt.idx].Add(rcArrivals, c.r.now, 1)
	}
}

func (c *recorder) routerStolen(rt *routerState) {
	if rt.idx < len(c.routers) {
		c.routers[rt.idx].Add(rcStolen, c.r.now, 1)
	}
}

// sampleRouters reads each router's counters: its queue, the slots it
// holds (own and borrowed) and the borrowed ones.
func (c *recorder) sampleRouters() {
	for i, tl := range c.routers {
		rt := c.r.rts[i]
		var queued, slots, borrowed, out float64
		if rt.up {
			rt.counters = rt.eng.AppendCounters(rt.counters[:0])
			for _, sc := range rt.counters {
				queued += float64(sc.Waiting)
				out += float64(sc.Outstanding)
				slots += float64(sc.SlotsInUse + sc.SlotsAvailable)
				borrowed += float64(sc.SlotsReceived)
			}
		}
		tl.Set(rgQueued, c.r.now, queued)
		tl.Set(rgSlots, c.r.now, slots)
		tl.Set(rgBorrowed, c.r.now, borrowed)
		tl.Set(rgOutstanding, c.r.now, out)
	}
}

func (c *recorder) arrival(svc int) {
	w := c.window(c.r.now)
	w.arrivals++
	if svc < len(w.perArrivals) {
		w.perArrivals[svc]++
	}
}

func (c *recorder) rejected(svc int) {
	c.tl.Add(cRejected, c.r.now, 1)
	if svc < len(c.per) {
		c.per[svc].Add(cRejected, c.r.now, 1)
	}
}

func (c *recorder) completed(svc int, lat time.Duration) {
	w := c.window(c.r.now)
	w.completed++
	if svc < len(w.perCompleted) {
		w.perCompleted[svc]++
	}
	if w.lats = append(w.lats, lat); len(w.lats) == cap(w.lats) {
		c.flushLatencies()
	}
}

// sample reads the engine's and Marathon's gauges, and hands the
// timelines what the window counted (the run's last sample, at its end,
// leaves nothing out of them).
func (c *recorder) sample() {
	c.flush()
	var out, queued, requested, healthy, tasks, desired, panicking float64
	now := c.r.now
	lead := c.r.lead()
	c.sampleRouters()
	for i, st := range c.r.svcs {
		var l engineLoad
		// Instances as the leader sees them; requests summed over the
		// routers (one router: its own view).
		if el, ok := lead.eng.ServiceLoad(st.desc.ID); ok {
			l = engineLoad{requested: float64(el.Requested), healthy: float64(el.Healthy), desired: float64(el.Desired)}
			if el.Panicking {
				l.panicking = 1
			}
		}
		for _, rt := range c.r.rts {
			if el, ok := rt.eng.ServiceLoad(st.desc.ID); ok && rt.up {
				l.out += float64(el.Waiting + el.InFlight)
				l.queued += float64(el.Waiting)
			}
		}
		if a := c.r.model.App(st.desc.ID); a != nil {
			l.tasks = float64(len(a.Tasks))
		}
		out += l.out
		queued += l.queued
		requested += l.requested
		healthy += l.healthy
		tasks += l.tasks
		desired += l.desired
		panicking += l.panicking
		if i < len(c.per) {
			p := c.per[i]
			p.Set(gOutstanding, now, l.out)
			p.Set(gQueued, now, l.queued)
			p.Set(gRequested, now, l.requested)
			p.Set(gHealthy, now, l.healthy)
			p.Set(gTasks, now, l.tasks)
			p.Set(gDesired, now, l.desired)
			p.Set(gPanicking, now, l.panicking)
		}
	}
	c.tl.Set(gOutstanding, now, out)
	c.tl.Set(gQueued, now, queued)
	c.tl.Set(gRequested, now, requested)
	c.tl.Set(gHealthy, now, healthy)
	c.tl.Set(gTasks, now, tasks)
	c.tl.Set(gDesired, now, desired)
	c.tl.Set(gPanicking, now, panicking)
}

// engineLoad is one service's gauges at one sample; panicking is 1 while
// its policy is in panic mode, so the sum counts services in panic.
type engineLoad struct{ out, queued, requested, healthy, tasks, desired, panicking float64 }
