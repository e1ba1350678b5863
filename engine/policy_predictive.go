package engine

import (
	"math"
	"time"
)

// PredictivePolicyName names the predictive policy.
const PredictivePolicyName = "predictive"

// PredictivePolicy sizes a service for the work it has and the backlog it
// predicts, rather than for the requests it holds. Waiter's formula and
// Knative's count each queued request as demand for a slot now, so on a
// cold start or a burst, whose queue grows for as long as instances take
// to start, they ask for instances in proportion to that queue (about 55
// for a 20 rps service), and Waiter then gives them back over hours. This
// policy separates the two:
//
//   - the steady need is the in-flight requests (an average over
//     BusyWindow), which by Little's law is arrival rate x service time
//     for the load the service serves, divided by concurrency-level x
//     TargetUtilization; queued requests are not part of it;
//   - queued requests are a backlog, counted once: the queue now plus
//     what arrives faster than the healthy instances serve until a new
//     instance would be ready (StartupEstimate), to be drained within
//     DrainHorizon once ready (never more than one slot per waiting
//     request). Instances already starting are part of the requested
//     count the need is compared with, so capacity on its way is counted
//     once and not asked for again. The service time comes from in-flight
//     request-seconds / completions;
//   - while requests wait, the newest arrival rate counts at once (scale
//     up on queue growth, not on an average that lags it): the rate of
//     the last two passes, each taken at its Poisson lower bound (n - 2
//     sqrt(n) arrivals), so a burst of 1,000 rps is believed after one
//     pass while a clump of a few requests arriving together (the Azure
//     trace's) is not multiplied by the start-up time. A scaler that
//     starts with requests already queued (a cold start) takes the queue
//     as one pass's arrivals, so a cold start fans out at its first pass;
//   - spares for failures: healthy instances lost while the requested
//     count held (crashes, lost agents) are counted as a rate over
//     LossWindow, and the count keeps that rate x FailureCover spare
//     instances, so a service whose instances die keeps serving through a
//     scheduler outage of that length (faults' "flaky");
//   - it scales up at once when the instances would be busier than
//     UpUtilization, and down only when they are idler than
//     DownUtilization and nothing waits, to the highest steady need of
//     the last ScaleDownDelay (the drained backlog is not held: it needs
//     no capacity once gone); the band between stops the churn of
//     starting and killing instances on noise;
//   - it scales down on measured idleness: a service with no request
//     arriving, waiting or running for IdleRetire is retired (zero
//     instances), as Knative's scale to zero does, and its instances are
//     given back within minutes, not hours;
//   - with the "simple" distribution in a cluster it keeps at least one
//     instance per router while the service is in use (routerFloor): an
//     instance's slots all belong to one router, so a router without one
//     queues its share however idle the others are, and the queue-sized
//     scale-up that follows lands two thirds of its instances (with
//     three routers) on routers that do not need them (spike-3routers-
//     simple: 21.1 instance-hours and, each time a router was left
//     without an instance, 8 s samples with a p99 of 10-26 s; with the
//     floor 16.2 instance-hours and none outside the burst).
//
// Why it works: instance-seconds go to instances that serve. A queue is
// drained by capacity asked for once, in one step, at the first pass that
// shows it (a cold start or a burst is sized for what will be waiting when
// instances are ready, and more instances started together also means the
// first of them is ready sooner), instead of an EMA chasing the queue and
// keeping its peak for hours; after the queue is gone the count falls to
// the steady need within a minute or two. What it gives up is idle
// headroom: a burst onto a quiet service (spike) waits for start-ups that
// the instances Waiter's slow decay still holds from earlier would have
// served, so there its p99 is worse than Waiter's and Knative's. From the
// first pass after the burst every policy asks for as many instances as
// the scheduler's quanta allow (32 a pass), so that p99 is set by the
// capacity held when the burst starts: predictive with 4, 6, 8 and 12
// instances held (min-instances) measured 7.4, 7.0, 6.7 and 5.8 s at
// 14.9, 15.6, 16.7 and 18.1 instance-hours, against 7.6 s at 15.2 as it
// is and Waiter's 6.1 s from the 12 it still holds. A headroom of a few
// standard deviations of the busy slots (square-root staffing) was tried
// and left out: it cost 6-14 % instance-hours on diurnal and doubled them
// on the Azure trace without lowering any p99.
//
// Zero fields take the defaults in the comments.
type PredictivePolicy struct {
	TargetUtilization float64       // 0.75 of concurrency-level per instance, the count asked for
	UpUtilization     float64       // 0.85: busier than this scales up to the target
	DownUtilization   float64       // 0.6: idler than this scales down to the target
	RateWindow        time.Duration // 10 s: time constant of the arrival-rate average
	BusyWindow        time.Duration // 10 s: time constant of the in-flight average
	ServiceTimeWindow time.Duration // 60 s: time constant of the service-time estimate
	StartupEstimate   time.Duration // 20 s: from asking for an instance to its serving
	DrainHorizon      time.Duration // 500 ms: how fast the predicted backlog should clear
	ScaleDownDelay    time.Duration // 60 s: a decrease waits for this long at the lower need
	ColdServiceTime   time.Duration // 100 ms: the service time assumed before any request completed
	LossWindow        time.Duration // 10 min: time constant of the instance-loss rate
	FailureCover      time.Duration // 3 min: spares for the instances lost in this long
	// IdleRetire: a service with no request arriving, queued or running
	// for this long is retired (scaled to zero), as Knative does after its
	// stable window and grace period; 60 s; negative never retires.
	IdleRetire time.Duration
}

// Name implements Policy.
func (PredictivePolicy) Name() string { return PredictivePolicyName }

func (p PredictivePolicy) withDefaults() PredictivePolicy {
	def := func(d *time.Duration, v time.Duration) {
		if *d <= 0 {
			*d = v
		}
	}
	if p.TargetUtilization <= 0 || p.TargetUtilization > 1 {
		p.TargetUtilization = 0.75
	}
	if p.UpUtilization < p.TargetUtilization || p.UpUtilization > 1 {
		p.UpUtilization = max(0.85, p.TargetUtilization)
	}
	if p.DownUtilization <= 0 || p.DownUtilization > p.TargetUtilization {
		p.DownUtilization = min(0.6, p.TargetUtilization)
	}
	def(&p.RateWindow, 10*time.Second)
	def(&p.BusyWindow, 10*time.Second)
	def(&p.ServiceTimeWindow, 60*time.Second)
	def(&p.StartupEstimate, 20*time.Second)
	def(&p.DrainHorizon, 500*time.Millisecond)
	def(&p.ScaleDownDelay, 60*time.Second)
	def(&p.ColdServiceTime, 100*time.Millisecond)
	def(&p.LossWindow, 10*time.Minute)
	def(&p.FailureCover, 3*time.Minute)
	if p.IdleRetire == 0 {
		p.IdleRetire = 60 * time.Second
	}
	return p
}

// NewScaler implements Policy.
func (p PredictivePolicy) NewScaler(_ *Description, start ScaleStart) Scaler {
	p = p.withDefaults()
	return &predictiveScaler{p: p, last: start.Now, lastBusy: start.Now, queuedSince: start.Now, share: 1,
		hold: newKPAMaxWindow(int(math.Ceil(p.ScaleDownDelay.Seconds())))}
}

type predictiveScaler struct {
	p    PredictivePolicy
	last time.Time // time of the previous pass
	// lastBusy is the last pass that saw a request arrive, wait or run.
	lastBusy time.Time
	// passes counts the passes that measured an interval (dt > 0).
	passes int
	// rate is the arrival rate (requests/s), an exponential average.
	rate float64
	// recent are the arrival rates of the last passes, newest first.
	recent [3]float64
	// prevLow is the previous pass's arrival rate at its Poisson lower
	// bound.
	prevLow float64
	// inflight is the in-flight requests, an exponential average.
	inflight float64
	// busy and done are decayed sums of in-flight request-seconds and of
	// completions: busy/done is the mean service time (Little's law).
	busy, done float64
	// prevHealthy and prevRequested are the previous pass's counts;
	// lossRate is the rate (instances/s) at which healthy instances were
	// lost while the requested count did not fall, an average.
	prevHealthy, prevRequested int
	lossRate                   float64
	// hold keeps the highest steady need of the scale-down delay, by second.
	hold *kpaMaxWindow
	// queuedSince is the last pass at which nothing waited.
	queuedSince time.Time
	// share is this router's part of the cluster's outstanding requests,
	// an average (1 with one router).
	share float64
}

// clusterWide scales this router's own counts (in-flight, queued,
// arrivals, completions) to the cluster's: with several routers each sees
// only the requests sent to it, while Outstanding sums every router's
// (the peers' counters) and the instance counts are the scheduler's. The
// share of the outstanding requests this router holds is averaged over
// BusyWindow, so a pass where a router happens to hold none or all of
// them does not swing the estimate.
func (s *predictiveScaler) clusterWide(in ScaleInput) ScaleInput {
	local := in.InFlight + in.Queued
	if in.Outstanding > 0 && in.Outstanding >= local {
		dt := math.Max(in.Now.Sub(s.last).Seconds(), 0)
		a := 1 - math.Exp(-dt/s.p.BusyWindow.Seconds())
		s.share += a * (float64(local)/float64(in.Outstanding) - s.share)
	}
	if s.share >= 1 || s.share <= 0 {
		return in
	}
	scale := func(n int) int { return int(math.Round(float64(n) / s.share)) }
	in.InFlight, in.Queued = scale(in.InFlight), scale(in.Queued)
	in.Arrived, in.Completed = scale(in.Arrived), scale(in.Completed)
	return in
}

// routerFloor is the fewest instances a service in use needs for every
// router to serve its share: with the "simple" distribution an instance's
// slots all belong to one router, so a router without an instance of its
// own queues its requests (for good without work stealing, until a peer
// lends a slot with it) however idle the others are. One instance per
// router, asked for while the service had a request within IdleRetire
// (the scale-down delay when it never retires); the leader's scale-down
// kills where slots are idlest (clusterKill), so at that count each
// router keeps one. 0 otherwise.
func (s *predictiveScaler) routerFloor(in ScaleInput) int {
	if in.Routers <= 1 || distributionScheme(in.Desc) != SchemeSimple {
		return 0
	}
	quiet := s.p.IdleRetire
	if quiet <= 0 {
		quiet = s.p.ScaleDownDelay
	}
	if in.Now.Sub(s.lastBusy) >= quiet {
		return 0
	}
	return in.Routers
}

// coldWeight is how many completions the cold service-time guess is worth.
const coldWeight = 5

// poissonLow is n arrivals at their Poisson lower bound, n - 2 sqrt(n):
// what a pass's count says about the rate with ~95 % confidence.
func poissonLow(n float64) float64 { return math.Max(0, n-2*math.Sqrt(n)) }

// Scale implements Scaler.
func (s *predictiveScaler) Scale(in ScaleInput) Decision {
	d := in.Desc
	p := s.p
	in = s.clusterWide(in)
	dt := in.Now.Sub(s.last).Seconds()
	newest := 0.0 // the newest arrival rate believed while requests wait
	if dt > 0 {
		s.last = in.Now
		s.passes++
		passRate := float64(in.Arrived) / dt
		s.rate += (1 - math.Exp(-dt/p.RateWindow.Seconds())) * (passRate - s.rate)
		s.inflight += (1 - math.Exp(-dt/p.BusyWindow.Seconds())) * (float64(in.InFlight) - s.inflight)
		keep := math.Exp(-dt / p.ServiceTimeWindow.Seconds())
		s.busy = keep*s.busy + float64(in.InFlight)*dt
		s.done = keep*s.done + float64(in.Completed)
		low := poissonLow(float64(in.Arrived)) / dt
		newest, s.prevLow = math.Min(low, s.prevLow), low
		lost := 0.0
		if s.passes > 1 && in.Requested >= s.prevRequested && in.Healthy < s.prevHealthy {
			lost = float64(s.prevHealthy - in.Healthy)
		}
		s.lossRate += (1 - math.Exp(-dt/p.LossWindow.Seconds())) * (lost/dt - s.lossRate)
		copy(s.recent[1:], s.recent[:])
		s.recent[0] = passRate
	} else if s.passes == 0 && in.Queued > 0 {
		// A fresh scaler finding a queue (a cold start): the queue is the
		// arrivals of about one pass.
		newest = poissonLow(float64(in.Queued))
		s.prevLow = newest
	}
	s.prevHealthy, s.prevRequested = in.Healthy, in.Requested
	// A rate every one of the last passes saw is a sustained change, not
	// a clump: predict from it at once rather than wait for the average.
	rate := s.rate
	if s.passes >= len(s.recent) {
		sustained := s.recent[0]
		for _, r := range s.recent[1:] {
			sustained = math.Min(sustained, r)
		}
		rate = math.Max(rate, sustained)
	}
	// The cold guess counts as a few completions, so that the first ones
	// (whose in-flight time was counted while nothing had finished yet)
	// refine it rather than replace it.
	svcTime := (s.busy + coldWeight*p.ColdServiceTime.Seconds()) / (s.done + coldWeight)
	cl := float64(d.ConcurrencyLevel)
	// Busy slots the load keeps: in-flight requests only, averaged.
	steady := s.inflight
	// The backlog when a new instance could serve: the queue now plus
	// what arrives faster than the healthy instances serve until then,
	// drained within DrainHorizon, never more than one slot per request.
	backlog := 0.0
	if in.Queued > 0 {
		rate = math.Max(rate, newest)
		served := float64(in.Healthy) * cl / svcTime
		b := float64(in.Queued) + math.Max(0, rate-served)*p.StartupEstimate.Seconds()
		backlog = math.Min(b, b*svcTime/p.DrainHorizon.Seconds())
		if in.Now.Sub(s.queuedSince) >= p.StartupEstimate {
			// A queue that outlived the start-up time is not being
			// drained by the capacity counted on (instances that never
			// came, or whose slots another router owns): every waiting
			// request gets a slot of its own, as Waiter's formula gives.
			backlog = math.Max(backlog, b)
		}
	} else {
		s.queuedSince = in.Now
	}
	spares := s.lossRate * p.FailureCover.Seconds()
	count := func(slots, utilization float64) int {
		n := slots/(cl*utilization) + spares
		if math.IsNaN(n) || n < 0 {
			n = 0
		}
		return min(max(int(math.Ceil(math.Min(n, float64(d.MaxInstances)))), d.MinInstances), d.MaxInstances)
	}
	need := (steady+backlog)/(cl*p.TargetUtilization) + spares
	if math.IsNaN(need) || need < 0 {
		need = 0
	}
	// Only the steady need is held through the scale-down delay: a
	// drained backlog needs no capacity once gone.
	s.hold.record(int(in.Now.Unix()), count(steady, p.TargetUtilization))
	to := in.Requested
	switch {
	case in.Requested < count(steady+backlog, p.UpUtilization):
		to = count(steady+backlog, p.TargetUtilization) // over the up threshold: to the target now
	case in.Queued == 0 && in.Requested > count(steady, p.DownUtilization):
		to = min(s.hold.current(), in.Requested) // idle enough: down after the delay
	}
	if in.Arrived > 0 || in.InFlight > 0 || in.Queued > 0 {
		s.lastBusy = in.Now
	}
	to = max(to, s.routerFloor(in))
	to = min(max(to, d.MinInstances), d.MaxInstances)
	retire := p.IdleRetire > 0 && in.Now.Sub(s.lastBusy) >= p.IdleRetire
	return Decision{ScaleAmount: to - in.Requested, ScaleTo: to, Target: math.Min(need, float64(d.MaxInstances)),
		Retire: retire}
}
