package realrun

import "time"

// StarvedAfter is how late a real run may send a request before the run
// counts as starved: the load is open loop, so a request goes out at its
// time unless the machine does not run the sender, and one sent a second
// late or more means the machine stopped the run's processes (the
// sender, and the router and kitchens with it) for about that long, under
// other work. Such a run did not play the scenario: its latencies carry
// the stall, not the router's behaviour (fidelity-cold-start on a 2-core
// machine shared with fuzzing and benchmarks: requests sent 8 s late, a
// burst's p99 10.8 s against 3.1 s in the run before).
const StarvedAfter = time.Second

// SendLate is the most a run sent any request after its time.
func SendLate(run *Result) time.Duration {
	late := 0.0
	for _, q := range run.Requests {
		late = max(late, q.SentMS-q.AtMS)
	}
	return time.Duration(late * float64(time.Millisecond))
}

// Starved says whether the machine starved the run (SendLate of
// StarvedAfter or more), and by how much.
func Starved(run *Result) (time.Duration, bool) {
	late := SendLate(run)
	return late, late >= StarvedAfter
}
