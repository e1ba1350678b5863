package sim

import (
	"math"
	"sort"
	"time"

	"github.com/waiter-go/waiter/sim/stats"
)

func ms(d time.Duration) float64 { return math.Round(float64(d)/1e3) / 1e3 }

func latency(h *stats.Histogram) Latency {
	if h.Count() == 0 {
		return Latency{}
	}
	s := h.Summary()
	return Latency{P50: ms(s.P50), P90: ms(s.P90), P99: ms(s.P99), P999: ms(s.P999), Max: ms(s.Max), Mean: ms(s.Mean)}
}

// report assembles the run's Report.
func (r *Runner) report() *Report {
	seed := r.sc.Seed
	if r.opts.Seed != nil {
		seed = *r.opts.Seed
	}
	policy := string(r.sc.Policy)
	if r.opts.Policy != "" {
		policy = r.opts.Policy
	}
	rep := &Report{Scenario: r.sc.Name, Description: r.sc.Description, Seed: seed, Policy: policy,
		DurationS: r.sc.Duration.Seconds()}
	tot := &rep.Totals
	tot.RejectedBy = map[string]int64{}
	r.syncCompleted()
	r.lats.flush(r.svcs)
	var all stats.Histogram
	for i, st := range r.svcs {
		all.Merge(st.hist)
		a := r.model.App(st.desc.ID)
		if a != nil {
			st.t.InstanceSeconds += r.model.TaskSeconds(a, r.end)
			st.t.PeakInstances = max(st.t.PeakInstances, a.PeakTasks)
			rep.Cluster.TaskFailures += len(a.Failures)
		}
		st.t.InstanceSeconds = round3(st.t.InstanceSeconds)
		st.t.LatencyMS = latency(st.hist)
		st.t.InFlight = st.t.Requests - st.t.Completed - st.t.Rejected
		if st.t.Requests == 0 && st.t.Creates == 0 {
			continue
		}
		svcTotals := ServiceTotals{Name: st.name, ID: st.desc.ID, MaxInstances: st.desc.MaxInstances, Totals: st.t}
		rep.MaxInstances += st.desc.MaxInstances
		if i < len(r.rec.per) {
			ser := seriesOf(r.rec.per[i], r.end, false)
			svcTotals.Series = &ser
		}
		rep.Services = append(rep.Services, svcTotals)
		tot.Requests += st.t.Requests
		tot.Completed += st.t.Completed
		tot.Rejected += st.t.Rejected
		tot.InFlight += st.t.InFlight
		tot.Errors += st.t.Errors
		tot.ColdStarts += st.t.ColdStarts
		tot.ColdStartServices += st.t.ColdStartServices
		tot.InstanceSeconds += st.t.InstanceSeconds
		tot.ScaleUps += st.t.ScaleUps
		tot.Kills += st.t.Kills
		tot.Creates += st.t.Creates
		tot.Deletes += st.t.Deletes
		tot.SchedulerErrors += st.t.SchedulerErrors
		for k, v := range st.t.RejectedBy {
			tot.RejectedBy[k] += v
		}
	}
	sort.SliceStable(rep.Services, func(i, j int) bool { return rep.Services[i].Name < rep.Services[j].Name })
	tot.InstanceSeconds = round3(tot.InstanceSeconds)
	tot.LatencyMS = latency(&all)
	tot.PeakInstances = r.model.PeakTasks()
	rep.Cluster.Agents = len(r.model.Agents())
	rep.Cluster.WaitingPlacements = r.model.WaitingPlacements()
	rep.Series = r.rec.series()
	rep.Windows = scenarioWindows(r.sc, r.end)
	r.routerReports(rep)
	rep.Assertions, rep.Passed = r.check(rep)
	return rep
}

func round3(f float64) float64 { return math.Round(f*1000) / 1000 }

func (c *recorder) series() Series { return seriesOf(c.tl, c.r.end, true) }

// seriesOf turns a timeline into report series; latency only when the
// timeline records it.
func seriesOf(tl *stats.Timeline, end time.Duration, withLatency bool) Series {
	tl.Advance(end)
	s := Series{IntervalS: tl.Width().Seconds()}
	for _, iv := range tl.Intervals() {
		s.TimeS = append(s.TimeS, iv.Start.Seconds())
		s.Arrivals = append(s.Arrivals, iv.Counters[cArrivals])
		s.Completed = append(s.Completed, iv.Counters[cCompleted])
		s.Rejected = append(s.Rejected, iv.Counters[cRejected])
		s.Outstanding = append(s.Outstanding, round3(iv.Gauges[gOutstanding].Max))
		s.Queued = append(s.Queued, round3(iv.Gauges[gQueued].Max))
		s.Requested = append(s.Requested, round3(iv.Gauges[gRequested].Last))
		s.Healthy = append(s.Healthy, round3(iv.Gauges[gHealthy].Last))
		s.Tasks = append(s.Tasks, round3(iv.Gauges[gTasks].Last))
		s.Desired = append(s.Desired, round3(iv.Gauges[gDesired].Last))
		s.Panicking = append(s.Panicking, round3(iv.Gauges[gPanicking].Max))
		if withLatency {
			s.P50MS = append(s.P50MS, ms(iv.Latencies[lLatency].P50))
			s.P99MS = append(s.P99MS, ms(iv.Latencies[lLatency].P99))
		}
	}
	return s
}

// routerReports adds each router's figures and series to a cluster's
// report.
func (r *Runner) routerReports(rep *Report) {
	if !r.clustered() {
		return
	}
	c := &r.cluster
	rep.Cluster.Routers = len(r.rts)
	rep.Cluster.LeaderChanges = max(c.leaderChanges-1, 0) // the first leader is no change
	rep.Cluster.EjectVetoes = c.ejectVetoes
	rep.Cluster.KillDelegations = c.delegations
	leader := -1
	if len(c.members) > 0 {
		leader = c.members[0]
	}
	for i, rt := range r.rts {
		tl := r.rec.routers[i]
		tl.Advance(r.end)
		rr := RouterTotals{ID: rt.id, Leader: i == leader && rt.up, Requests: rt.t.requests,
			Completed: rt.t.completed, Rejected: rt.t.rejected, Errors: rt.t.errors, LatencyMS: latency(&rt.hist),
			Stolen: rt.t.stolen, Lent: rt.t.lent, Crashes: rt.t.crashes}
		for _, iv := range tl.Intervals() {
			s := &rr.Series
			s.Arrivals = append(s.Arrivals, iv.Counters[rcArrivals])
			s.Stolen = append(s.Stolen, iv.Counters[rcStolen])
			s.Queued = append(s.Queued, round3(iv.Gauges[rgQueued].Max))
			s.Outstanding = append(s.Outstanding, round3(iv.Gauges[rgOutstanding].Max))
			s.Slots = append(s.Slots, round3(iv.Gauges[rgSlots].Last))
			s.Borrowed = append(s.Borrowed, round3(iv.Gauges[rgBorrowed].Max))
			rr.PeakQueued = max(rr.PeakQueued, round3(iv.Gauges[rgQueued].Max))
		}
		rep.Routers = append(rep.Routers, rr)
	}
}
