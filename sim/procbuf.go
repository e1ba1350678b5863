package sim

import "time"

// procBlock is how many arrivals of a load process are drawn at once.
const procBlock = 8

// next returns the process's next arrival, as its Next would: the
// arrivals are drawn procBlock at a time into the process's own buffer.
// A process's draws come from its own stream and depend on nothing but
// its state, so drawing ahead yields the same times in the same order.
// With a thousand services each arrival touched the process, its random
// stream and its rate function, three cache misses; now one arrival in
// procBlock does, and the rest read the buffer, which lies in the
// process's entry of r.procs.
func (ps *procState) next() (time.Duration, bool) {
	if ps.head == ps.n {
		if ps.ended {
			return 0, false
		}
		ps.head, ps.n = 0, 0
		for ps.n < procBlock {
			at, ok := ps.proc.Next()
			if !ok {
				ps.ended = true
				break
			}
			ps.buf[ps.n] = at
			ps.n++
		}
		if ps.n == 0 {
			return 0, false
		}
	}
	at := ps.buf[ps.head]
	ps.head++
	return at, true
}
