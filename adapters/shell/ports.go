package shell

import (
	"fmt"
	"net"
	"strconv"
	"time"
)

// portPool hands out ports from an inclusive range. A port is free when it
// is not in use by an instance, not within its grace period after release,
// and the OS lets us bind it. Reservations go round-robin from where the
// last one ended, so a released port is the last to be reused even once
// its grace period is over. Not safe for concurrent use: the Scheduler's
// mutex guards it.
type portPool struct {
	lo, hi int
	grace  time.Duration
	now    func() time.Time
	// available asks the OS whether a port can be bound; tests replace it.
	available func(port int) bool

	next int
	// inUse holds ports of instances whose process group may be running.
	inUse map[int]bool
	// freeAt holds released ports until their grace period ends.
	freeAt map[int]time.Time
}

func newPortPool(lo, hi int, grace time.Duration, now func() time.Time) *portPool {
	return &portPool{lo: lo, hi: hi, grace: grace, now: now, available: portBindable,
		next: lo, inUse: map[int]bool{}, freeAt: map[int]time.Time{}}
}

// reserve takes n free ports or none.
func (p *portPool) reserve(n int) ([]int, error) {
	size := p.hi - p.lo + 1
	now := p.now()
	got := make([]int, 0, n)
	port := p.next
	for tried := 0; tried < size && len(got) < n; tried++ {
		cand := port
		port++
		if port > p.hi {
			port = p.lo
		}
		if p.inUse[cand] {
			continue
		}
		if until, ok := p.freeAt[cand]; ok {
			if now.Before(until) {
				continue
			}
			delete(p.freeAt, cand)
		}
		if !p.available(cand) {
			continue
		}
		got = append(got, cand)
	}
	if len(got) < n {
		return nil, fmt.Errorf("%w: %d wanted in [%d, %d], %d found", ErrNoPorts, n, p.lo, p.hi, len(got))
	}
	for _, q := range got {
		p.inUse[q] = true
	}
	p.next = port
	return got, nil
}

// claim marks ports of an adopted instance as in use.
func (p *portPool) claim(ports []int) {
	for _, q := range ports {
		p.inUse[q] = true
		delete(p.freeAt, q)
	}
}

// release returns ports once their process group is gone; they stay
// unused for the grace period.
func (p *portPool) release(ports []int) {
	until := p.now().Add(p.grace)
	for _, q := range ports {
		delete(p.inUse, q)
		p.freeAt[q] = until
	}
}

// portBindable reports whether nothing listens on 127.0.0.1:port. It
// cannot promise the port is still free when the instance binds it, but it
// keeps the scheduler from handing out ports other programs hold.
func portBindable(port int) bool {
	l, err := net.Listen("tcp4", net.JoinHostPort(Host, strconv.Itoa(port)))
	if err != nil {
		return false
	}
	_ = l.Close()
	return true
}
