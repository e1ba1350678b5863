package realrun

import (
	"math"
	"sort"
	"time"

	"github.com/waiter-go/waiter/sim"
	"github.com/waiter-go/waiter/sim/scenario"
	"github.com/waiter-go/waiter/sim/stats"
)

// buildReport turns a real run into the report a simulated run of sc
// writes: the same totals, series and assertions. Figures only the
// simulator knows (scale-ups, creates and deletes, the cluster's
// placements) stay 0; instance-seconds integrate the scheduled instances
// sampled every second.
func buildReport(sc *scenario.Scenario, seed uint64, p *plan, reqs []Request, smp *sampler) *sim.Report {
	rep := &sim.Report{Scenario: sc.Name, Description: sc.Description, Seed: seed,
		Policy: string(sc.Policy), DurationS: sc.Duration.Seconds()}
	width := sim.SeriesWidth(sc)
	// One interval more than the run covers, as the simulator's series
	// end: its last sample, at the end, starts an interval of its own.
	n := int(sc.Duration/width) + 1
	tot := &rep.Totals
	tot.RejectedBy = map[string]int64{}
	var all stats.Histogram
	hists := make([]stats.Histogram, len(p.services))
	per := make([]sim.Totals, len(p.services))
	svcSeries := make([]sim.Series, len(p.services))
	for i := range per {
		per[i].RejectedBy = map[string]int64{}
		svcSeries[i] = newSeries(width, n, false)
	}
	ser := newSeries(width, n, true)
	ivHists := make([]stats.Histogram, n)
	idx := func(at time.Duration) int { return min(max(int(at/width), 0), n-1) }
	svcOf := map[string]int{}
	for i, s := range p.services {
		svcOf[s.name] = i
	}
	for _, r := range reqs {
		i := svcOf[r.Service]
		t := &per[i]
		t.Requests++
		at := time.Duration(r.AtMS * float64(time.Millisecond))
		ser.Arrivals[idx(at)]++
		svcSeries[i].Arrivals[idx(at)]++
		switch r.Outcome {
		case outcomeOK, outcomeError:
			t.Completed++
			if r.Outcome == outcomeError {
				t.Errors++
			}
			lat := time.Duration(r.LatencyMS * float64(time.Millisecond))
			hists[i].Record(lat)
			ivHists[idx(r.done)].Record(lat)
			ser.Completed[idx(r.done)]++
			svcSeries[i].Completed[idx(r.done)]++
		case outcomeRejected:
			t.Rejected++
			t.RejectedBy[r.Reason]++
			ser.Rejected[idx(r.done)]++
			svcSeries[i].Rejected[idx(r.done)]++
		}
	}
	for k := range ivHists {
		if ivHists[k].Count() > 0 {
			s := ivHists[k].Summary()
			ser.P50MS[k], ser.P99MS[k] = sim.MS(s.P50), sim.MS(s.P99)
		}
	}
	// Gauges: the sample at the start of each interval, as the
	// simulator samples its gauges once per interval.
	serving := make([]bool, len(p.services))
	set := make([]bool, n)
	prev := time.Duration(0)
	for _, sm := range smp.samples {
		k, first := idx(sm.at), sm.at%width == 0
		var sum gauges
		step := (sm.at - prev).Seconds()
		prev = sm.at
		for i, g := range sm.per {
			sum.outstanding += g.outstanding
			sum.queued += g.queued
			sum.requested += g.requested
			sum.healthy += g.healthy
			sum.tasks += g.tasks
			sum.desired += g.desired
			if first {
				setGauges(&svcSeries[i], k, g)
			}
			per[i].InstanceSeconds += g.tasks * step
			per[i].PeakInstances = max(per[i].PeakInstances, int(g.tasks))
			if g.healthy > 0 && !serving[i] {
				per[i].ColdStartServices++
			}
			serving[i] = g.healthy > 0
		}
		if first {
			setGauges(&ser, k, sum)
			set[k] = true
		}
		tot.PeakInstances = max(tot.PeakInstances, int(sum.tasks))
	}
	// A sample the router did not answer in time keeps the one before.
	for k := 1; k < n; k++ {
		if !set[k] && set[k-1] {
			carry(&ser, k)
			for i := range svcSeries {
				carry(&svcSeries[i], k)
			}
			set[k] = true
		}
	}
	for i, s := range p.services {
		t := &per[i]
		t.ColdStarts = int64(smp.cold[i].total)
		t.Kills = int64(smp.killed[i].total)
		t.InstanceSeconds = round3(t.InstanceSeconds)
		t.LatencyMS = sim.LatencyMS(&hists[i])
		t.InFlight = t.Requests - t.Completed - t.Rejected
		all.Merge(&hists[i])
		st := sim.ServiceTotals{Name: s.name, ID: s.id, Totals: *t}
		if len(p.services) <= 20 {
			st.Series = &svcSeries[i]
		}
		rep.Services = append(rep.Services, st)
		tot.Requests += t.Requests
		tot.Completed += t.Completed
		tot.Rejected += t.Rejected
		tot.InFlight += t.InFlight
		tot.Errors += t.Errors
		tot.ColdStarts += t.ColdStarts
		tot.ColdStartServices += t.ColdStartServices
		tot.InstanceSeconds += t.InstanceSeconds
		tot.Kills += t.Kills
		for k, v := range t.RejectedBy {
			tot.RejectedBy[k] += v
		}
	}
	sort.SliceStable(rep.Services, func(i, j int) bool { return rep.Services[i].Name < rep.Services[j].Name })
	tot.InstanceSeconds = round3(tot.InstanceSeconds)
	tot.LatencyMS = sim.LatencyMS(&all)
	rep.Series = ser
	rep.Windows = sim.ScenarioWindows(sc, sc.Duration)
	rep.Assertions, rep.Passed = sim.CheckAssertions(sc, rep)
	return rep
}

func newSeries(width time.Duration, n int, withLatency bool) sim.Series {
	s := sim.Series{IntervalS: width.Seconds(), TimeS: make([]float64, n),
		Arrivals: make([]int64, n), Completed: make([]int64, n), Rejected: make([]int64, n),
		Outstanding: make([]float64, n), Queued: make([]float64, n), Requested: make([]float64, n),
		Healthy: make([]float64, n), Tasks: make([]float64, n), Desired: make([]float64, n), Panicking: make([]float64, n)}
	for i := range s.TimeS {
		s.TimeS[i] = (time.Duration(i) * width).Seconds()
	}
	if withLatency {
		s.P50MS, s.P99MS = make([]float64, n), make([]float64, n)
	}
	return s
}

// setGauges records a sample in interval k: the last value, the most
// for outstanding and queued requests.
func setGauges(s *sim.Series, k int, g gauges) {
	s.Outstanding[k] = max(s.Outstanding[k], g.outstanding)
	s.Queued[k] = max(s.Queued[k], g.queued)
	s.Requested[k], s.Healthy[k], s.Tasks[k], s.Desired[k] = g.requested, g.healthy, g.tasks, g.desired
}

func round3(f float64) float64 { return math.Round(f*1000) / 1000 }

// carry copies interval k-1's gauges into interval k.
func carry(s *sim.Series, k int) {
	s.Outstanding[k], s.Queued[k] = s.Outstanding[k-1], s.Queued[k-1]
	s.Requested[k], s.Healthy[k], s.Tasks[k], s.Desired[k] = s.Requested[k-1], s.Healthy[k-1], s.Tasks[k-1], s.Desired[k-1]
}
