package report

import (
	"github.com/waiter-go/waiter/sim"
)

// runPlots are the charts of one run's page, all on the run's time axis:
// request rates, instances, requests outstanding and queued, latency, and
// (for runs of a few services) the healthy instances of each service.
// Every chart shades the scenario's faults and load changes.
func runPlots(rep *sim.Report) []plot {
	s := rep.Series
	n := len(s.TimeS)
	x := xAxis{Time: true, Label: "time", Values: s.TimeS}
	windows := windowBands(rep.Windows)

	rates := plot{ID: "rates", Title: "Request rates", X: x, Y: yAxis{Label: "requests per second", Unit: "req/s"},
		Series: []series{
			line("arrivals", fitTo(perSecond(s.Arrivals, s.IntervalS), n), palette[0], nil),
			line("completed", fitTo(perSecond(s.Completed, s.IntervalS), n), palette[2], dashed),
			line("rejected", fitTo(perSecond(s.Rejected, s.IntervalS), n), palette[1], nil),
		},
		Bands:   windows,
		Caption: "Requests arriving, completing and refused per second in each interval."}

	inst := plot{ID: "instances", Title: "Instances", X: x, Y: yAxis{Label: "instances", Unit: "instances"},
		Series: []series{
			line("desired", fitTo(s.Desired, n), palette[3], dotted),
			line("requested", fitTo(s.Requested, n), palette[1], dashed),
			line("healthy", fitTo(s.Healthy, n), palette[2], nil),
		},
		Bands: append(panicBands(s, "panic mode", ""), windows...),
		Caption: "What the scaling policy wanted (desired), what the router asked the scheduler for (requested: " +
			"held back by pending scale operations, resource quanta and max-instances) and the healthy instances " +
			"serving. The gap between requested and healthy is start-up time; shaded orange, a policy in panic mode."}
	inst.placeRefs(instanceRefs(rep.MaxInstances, len(rep.Services), rep.Assertions))

	reqs := plot{ID: "requests", Title: "Outstanding and queued requests", X: x, Y: yAxis{Label: "requests", Unit: "requests"},
		Series: []series{
			line("outstanding (max)", fitTo(s.Outstanding, n), palette[4], nil),
			line("queued (max)", fitTo(s.Queued, n), palette[3], nil),
		},
		Bands:   windows,
		Caption: "The most requests outstanding (queued or in flight) and queued for a free instance slot in each interval."}

	lat := plot{ID: "latency", Title: "Latency", X: x, Y: yAxis{Label: "latency (ms, log scale)", Unit: "ms", Log: true},
		Series: []series{
			line("p50", latencyValues(s.P50MS, s.Completed, n), palette[0], nil),
			line("p99", latencyValues(s.P99MS, s.Completed, n), palette[1], nil),
		},
		Bands: windows,
		Caption: "Latency percentiles of the requests completed in each interval, queueing included, on a log axis; " +
			"gaps are intervals in which nothing completed. Assertion lines bound the percentiles of the whole run."}
	lat.placeRefs(latencyRefs(rep.Assertions))

	out := []plot{rates, inst, reqs, lat}
	if p, ok := perServicePlot(rep, x, windows); ok {
		out = append(out, p)
	}
	return append(out, routerPlots(rep, x, windows)...)
}

// perServicePlot draws each service's healthy instances, for runs of two
// to 20 services (the simulator keeps per-service series up to 20).
func perServicePlot(rep *sim.Report, x xAxis, windows []band) (plot, bool) {
	var lines []series
	n := len(x.Values)
	for i, svc := range rep.Services {
		if svc.Series == nil {
			continue
		}
		var dash []float64
		if i/len(palette)%2 == 1 {
			dash = dashed // a second round of the palette is dashed
		}
		lines = append(lines, line(svc.Name, fitTo(svc.Series.Healthy, n), palette[i%len(palette)], dash))
	}
	if len(lines) < 2 {
		return plot{}, false
	}
	return plot{ID: "services", Title: "Healthy instances by service", X: x, Y: yAxis{Label: "instances", Unit: "instances"},
		Series: lines, Bands: windows,
		Caption: "Each service's healthy instances; click a name in the legend to hide or show it."}, true
}

// line is a plain line series.
func line(label string, ys nums, color string, dash []float64) series {
	return series{Label: label, Color: color, Width: 2, Dash: dash, Line: true, Values: ys}
}

// latencyValues fits a latency series to n points, with a gap wherever no
// request completed (the percentile of nothing is not 0 ms) or the value
// is not positive (a log axis cannot place it).
func latencyValues(ms []float64, completed []int64, n int) nums {
	out := fitTo(ms, n)
	for i, v := range out {
		if i >= len(completed) || completed[i] == 0 || !(v > 0) {
			out[i] = gap
		}
	}
	return out
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
