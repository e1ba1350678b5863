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
//     what arrives faster than the requested instances (starting ones
//     included, so capacity already on its way is counted) can serve
//     during StartupEstimate, to be drained within DrainHorizon (never
//     more than one slot per waiting request). The service time comes
//     from in-flight request-seconds / completions; the arrival rate from
//     an average over RateWindow, or the rate every one of the last three
//     passes saw, so a sustained burst counts at once and a clump does not;
//   - it scales up at once when the instances would be busier than
//     UpUtilization, and down, to the highest count wanted during
//     ScaleDownDelay, only when they are idler than DownUtilization: the
//     band between stops the churn of starting and killing instances on
//     noise, each start paying its start-up time;
//   - it scales down on measured idleness: a service with no request
//     arriving, waiting or running for IdleRetire is retired (zero
//     instances), as Knative's scale to zero does, and its instances are
//     given back within minutes, not hours.
//
// Why it wins: instance-seconds go to instances that serve. A queue is
// drained by the instances already starting instead of summoning more in
// proportion to its length, idle instances leave after a minute, and the
// hysteresis avoids paying start-ups twice. What it gives up is headroom:
// it keeps fewer idle instances, so a burst onto a quiet service waits for
// start-ups a little longer (spike's p99).
//
// Zero fields take the defaults in the comments.
type PredictivePolicy struct {
	TargetUtilization float64       // 0.8 of concurrency-level per instance, the count asked for
	UpUtilization     float64       // 0.85: busier than this scales up to the target
	DownUtilization   float64       // 0.6: idler than this scales down to the target
	RateWindow        time.Duration // 10 s: time constant of the arrival-rate average
	BusyWindow        time.Duration // 10 s: time constant of the in-flight average
	ServiceTimeWindow time.Duration // 60 s: time constant of the service-time estimate
	StartupEstimate   time.Duration // 10 s: how long a new instance takes to serve
	DrainHorizon      time.Duration // 2 s: how fast the predicted backlog should clear
	ScaleDownDelay    time.Duration // 60 s: a decrease waits for this long at the lower need
	ColdServiceTime   time.Duration // 100 ms: the service time assumed before any request completed
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
		p.TargetUtilization = 0.8
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
	def(&p.StartupEstimate, 10*time.Second)
	def(&p.DrainHorizon, 2*time.Second)
	def(&p.ScaleDownDelay, 60*time.Second)
	def(&p.ColdServiceTime, 100*time.Millisecond)
	if p.IdleRetire == 0 {
		p.IdleRetire = 60 * time.Second
	}
	return p
}

// NewScaler implements Policy.
func (p PredictivePolicy) NewScaler(_ *Description, start ScaleStart) Scaler {
	p = p.withDefaults()
	return &predictiveScaler{p: p, last: start.Now, lastBusy: start.Now,
		hold: newKPAMaxWindow(int(math.Ceil(p.ScaleDownDelay.Seconds())))}
}

type predictiveScaler struct {
	p    PredictivePolicy
	last time.Time // time of the previous pass
	// lastBusy is the last pass that saw a request arrive, wait or run.
	lastBusy time.Time
	// rate is the arrival rate (requests/s), an exponential average.
	rate float64
	// recent are the arrival rates of the last passes, newest first.
	recent [3]float64
	// inflight is the in-flight requests, an exponential average.
	inflight float64
	// busy and done are decayed sums of in-flight request-seconds and of
	// completions: busy/done is the mean service time (Little's law).
	busy, done float64
	// hold keeps the highest need of the scale-down delay, by second.
	hold *kpaMaxWindow
}

// coldWeight is how many completions the cold service-time guess is worth.
const coldWeight = 5

// Scale implements Scaler.
func (s *predictiveScaler) Scale(in ScaleInput) Decision {
	d := in.Desc
	dt := in.Now.Sub(s.last).Seconds()
	rate := s.rate
	if dt > 0 {
		s.last = in.Now
		arrivals := float64(in.Arrived) / dt
		s.rate += (1 - math.Exp(-dt/s.p.RateWindow.Seconds())) * (arrivals - s.rate)
		s.inflight += (1 - math.Exp(-dt/s.p.BusyWindow.Seconds())) * (float64(in.InFlight) - s.inflight)
		keep := math.Exp(-dt / s.p.ServiceTimeWindow.Seconds())
		s.busy = keep*s.busy + float64(in.InFlight)*dt
		s.done = keep*s.done + float64(in.Completed)
		copy(s.recent[1:], s.recent[:])
		s.recent[0] = arrivals
		// A rate every one of the last passes saw is a sustained burst,
		// not a clump: predict from it at once rather than wait for the
		// average to catch up.
		sustained := s.recent[0]
		for _, r := range s.recent[1:] {
			sustained = math.Min(sustained, r)
		}
		rate = math.Max(s.rate, sustained)
	}
	// The cold guess counts as a few completions, so that the first ones
	// (whose in-flight time was counted while nothing had finished yet)
	// refine it rather than replace it.
	svcTime := (s.busy + coldWeight*s.p.ColdServiceTime.Seconds()) / (s.done + coldWeight)
	cl := float64(d.ConcurrencyLevel)
	// Busy slots the load keeps: in-flight requests only, averaged. Queued
	// requests are not demand for slots of their own; they are a backlog.
	slots := s.inflight
	if in.Queued > 0 {
		// The backlog when new instances can serve: the queue now, plus
		// what arrives faster than the requested instances (starting ones
		// included) serve until then; drained within DrainHorizon, and
		// never more than one slot per waiting request.
		capacity := float64(in.Requested) * cl / svcTime
		backlog := float64(in.Queued) + math.Max(0, rate-capacity)*s.p.StartupEstimate.Seconds()
		slots += math.Min(backlog, backlog*svcTime/s.p.DrainHorizon.Seconds())
	}
	need := slots / (cl * s.p.TargetUtilization)
	if math.IsNaN(need) || need < 0 {
		need = 0
	}
	count := func(n float64) int { return min(max(int(math.Ceil(n)), d.MinInstances), d.MaxInstances) }
	want := count(need)
	s.hold.record(int(in.Now.Unix()), want)
	to := in.Requested
	switch {
	case in.Requested < count(slots/(cl*s.p.UpUtilization)):
		to = want // over the up threshold: to the target now
	case in.Requested > count(slots/(cl*s.p.DownUtilization)):
		to = min(s.hold.current(), in.Requested) // idle enough: down after the delay
	}
	to = min(max(to, d.MinInstances), d.MaxInstances)
	if in.Arrived > 0 || in.InFlight > 0 || in.Queued > 0 {
		s.lastBusy = in.Now
	}
	retire := s.p.IdleRetire > 0 && in.Now.Sub(s.lastBusy) >= s.p.IdleRetire
	return Decision{ScaleAmount: to - in.Requested, ScaleTo: to, Target: math.Min(need, float64(d.MaxInstances)),
		Retire: retire}
}
