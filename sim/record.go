package sim

import (
	"time"

	"github.com/waiter-go/waiter/sim/stats"
)

// recorder keeps the run's time series in a fixed-size timeline.
type recorder struct {
	r     *Runner
	tl    *stats.Timeline
	width time.Duration
}

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
)

const lLatency stats.LatencyID = 0

func newRecorder(r *Runner) *recorder {
	width := r.sc.Report.Interval
	if width <= 0 {
		width = r.sc.Duration / 240
	}
	width = max(width, time.Second).Round(time.Second)
	tl, err := stats.NewTimeline(stats.TimelineConfig{
		Width: width, MaxIntervals: 512,
		Counters:  []string{"arrivals", "completed", "rejected"},
		Gauges:    []string{"outstanding", "queued", "requested", "healthy", "tasks"},
		Latencies: []string{"latency"},
	})
	if err != nil {
		panic("sim: timeline config: " + err.Error()) // constant config
	}
	return &recorder{r: r, tl: tl, width: width}
}

func (c *recorder) arrival()  { c.tl.Add(cArrivals, c.r.now, 1) }
func (c *recorder) rejected() { c.tl.Add(cRejected, c.r.now, 1) }
func (c *recorder) completed(lat time.Duration) {
	c.tl.Add(cCompleted, c.r.now, 1)
	c.tl.Observe(lLatency, c.r.now, lat)
}

// sample reads the engine's and Marathon's gauges.
func (c *recorder) sample() {
	var out, queued, requested, healthy, tasks float64
	for _, st := range c.r.svcs {
		if l, ok := c.r.eng.ServiceLoad(st.desc.ID); ok {
			out += float64(l.Waiting + l.InFlight)
			queued += float64(l.Waiting)
			requested += float64(l.Requested)
			healthy += float64(l.Healthy)
		}
		if a := c.r.model.App(st.desc.ID); a != nil {
			tasks += float64(len(a.Tasks))
		}
	}
	now := c.r.now
	c.tl.Set(gOutstanding, now, out)
	c.tl.Set(gQueued, now, queued)
	c.tl.Set(gRequested, now, requested)
	c.tl.Set(gHealthy, now, healthy)
	c.tl.Set(gTasks, now, tasks)
}
