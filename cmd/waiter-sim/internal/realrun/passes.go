package realrun

import (
	"slices"
	"time"
)

// PassLateness is how much later than one interval after the previous
// one the real router ran each scaling pass, and how many estimates (each
// over passBaseline samples) it is the median of.
//
// The engine schedules its next pass one interval after the current one
// ran (engine.scalingPass: now + interval), and the production driver
// runs it when its timer fires and its event loop takes the tick: a
// little late on a busy machine. The lateness adds up over a run (3-4 ms
// a pass under a load average of 8 is 0.2 s after a minute), so the real
// passes see the load at other moments than a simulation's, whose passes
// are never late. The model is fed it as a longer scaling interval.
type PassLateness struct {
	Late time.Duration
	// Lo and Hi are the estimates' quartiles: how much the lateness
	// varied over the run (the machine's load moves it).
	Lo, Hi    time.Duration
	Estimates int
}

// passBaseline is how many samples apart the two wake-ups of one
// estimate are: the ms the router rounds to, over ~20 passes, leave
// 0.05 ms of error.
const passBaseline = 20

// passLateness estimates PassLateness from the next wake-ups a run's
// samples read (wakes, in order; see sampler.nextWake) and the scaling
// interval. Between neighbouring samples the router ran n =
// round(Δ/interval) passes, each Δ/n − interval late: a first, rough
// estimate (the median), which also finds the stretches where the
// passes ran on (a wake that was another timer's, a pair 20 ms off the
// rough figure or more than two passes apart, as when the service was
// removed and came back, breaks one). Within a stretch, samples passBaseline
// apart give the estimates, whose median it returns.
func passLateness(wakes []time.Duration, interval time.Duration) PassLateness {
	if len(wakes) < 2 {
		return PassLateness{}
	}
	short := make([]time.Duration, len(wakes)-1)
	var ok []time.Duration
	for i := 1; i < len(wakes); i++ {
		d := wakes[i] - wakes[i-1]
		short[i-1] = -interval // no pass between: never within a stretch
		if n := int64((d + interval/2) / interval); n >= 1 {
			short[i-1] = d/time.Duration(n) - interval
			ok = append(ok, short[i-1])
		}
	}
	if len(ok) == 0 {
		return PassLateness{}
	}
	rough := medianDuration(ok)
	step := interval + rough
	var est []time.Duration
	// passes[j] counts the passes from the stretch's first sample to j.
	passes := []int64{0}
	first := 0
	flush := func(end int) { // the stretch is wakes[first..end]
		for j := first; j+passBaseline <= end; j++ {
			n := passes[j+passBaseline-first] - passes[j-first]
			est = append(est, (wakes[j+passBaseline]-wakes[j])/time.Duration(n)-interval)
		}
	}
	for i := 1; i < len(wakes); i++ {
		n := int64((wakes[i] - wakes[i-1] + step/2) / step)
		// Samples are a second apart: more than 2 passes between two is
		// a gap (samples missed, the service gone).
		if d := short[i-1] - rough; d > 20*time.Millisecond || d < -20*time.Millisecond || n > 2 {
			flush(i - 1)
			first, passes = i, []int64{0}
			continue
		}
		passes = append(passes, passes[len(passes)-1]+n)
	}
	flush(len(wakes) - 1)
	if len(est) == 0 {
		est = ok
	}
	slices.Sort(est)
	return PassLateness{Late: medianDuration(est), Lo: est[len(est)/4], Hi: est[(3*len(est))/4], Estimates: len(est)}
}

func medianDuration(ds []time.Duration) time.Duration {
	s := slices.Clone(ds)
	slices.Sort(s)
	m := s[len(s)/2]
	if len(s)%2 == 0 {
		m = (s[len(s)/2-1] + m) / 2
	}
	return m
}
