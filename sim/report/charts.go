package report

import (
	"github.com/waiter-go/waiter/sim"
)

// figure is one chart of a page: a heading, the inline SVG (empty when
// the run has too few points to draw) and a sentence on how to read it.
type figure struct {
	Title   string
	SVG     string
	Caption string
}

// runFigures draws the charts of one run's page.
func runFigures(rep *sim.Report) ([]figure, error) {
	s := rep.Series
	charts := []struct {
		c       lineChart
		caption string
	}{
		{lineChart{Title: "Load and capacity", Left: "requests", Right: "instances", Lines: []line{
			{Name: "arrivals/s", Ys: perSecond(s.Arrivals, s.IntervalS), Color: palette[0]},
			{Name: "outstanding requests (max)", Ys: s.Outstanding, Color: palette[4]},
			{Name: "requested instances", Ys: s.Requested, Color: palette[1], Right: true, Dashed: true},
			{Name: "healthy instances", Ys: s.Healthy, Color: palette[2], Right: true},
		}}, "Arrivals per second and the most requests outstanding in each interval (left axis) against " +
			"the instances the scaler asked for and the healthy ones serving (right axis). " +
			"The gap between the dashed and solid lines is start-up time."},
		{lineChart{Title: "Latency", Left: "milliseconds", Lines: []line{
			{Name: "p50", Ys: s.P50MS, Color: palette[0]},
			{Name: "p99", Ys: s.P99MS, Color: palette[1]},
		}}, "Latency percentiles of the requests completed in each interval, queueing included."},
		{lineChart{Title: "Queue", Left: "requests", Lines: []line{
			{Name: "queued requests (max)", Ys: s.Queued, Color: palette[3]},
			{Name: "rejected/s", Ys: perSecond(s.Rejected, s.IntervalS), Color: palette[1]},
		}}, "Requests waiting for a free instance slot (the most in each interval) and requests refused per second."},
	}
	var out []figure
	for _, c := range charts {
		c.c.Xs, c.c.EndS = s.TimeS, rep.DurationS
		svg, err := c.c.svg()
		if err != nil {
			return nil, err
		}
		out = append(out, figure{Title: c.c.Title, SVG: svg, Caption: c.caption})
	}
	return out, nil
}

// perSecond turns per-interval counts into rates.
func perSecond(counts []int64, intervalS float64) []float64 {
	out := make([]float64, len(counts))
	for i, c := range counts {
		if intervalS > 0 {
			out[i] = float64(c) / intervalS
		}
	}
	return out
}
