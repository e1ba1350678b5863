package procs

import (
	"errors"
	"fmt"
	"net"
	"strconv"
	"time"
)

// errNoPorts: the port range has too few free ports.
var errNoPorts = errors.New("procs: not enough free ports")

// portPool hands out ports from an inclusive range, as a Mesos agent
// offers its ports resource. A port is free when no task holds it, its
// rest after release is over, and the OS lets us bind it (another program
// may listen there). Reservations go round-robin, so a released port is
// the last to be reused. The Runtime's mutex guards it.
type portPool struct {
	lo, hi int
	rest   time.Duration
	host   string
	next   int
	inUse  map[int]bool
	freeAt map[int]time.Time
}

func newPortPool(lo, hi int, rest time.Duration, host string) *portPool {
	return &portPool{lo: lo, hi: hi, rest: rest, host: host, next: lo, inUse: map[int]bool{}, freeAt: map[int]time.Time{}}
}

// reserve takes n free ports, or none.
func (p *portPool) reserve(n int) ([]int, error) {
	now := time.Now()
	got := make([]int, 0, n)
	port := p.next
	for tried := 0; tried <= p.hi-p.lo && len(got) < n; tried++ {
		cand := port
		if port++; port > p.hi {
			port = p.lo
		}
		if p.inUse[cand] || now.Before(p.freeAt[cand]) || !bindable(p.host, cand) {
			continue
		}
		delete(p.freeAt, cand)
		got = append(got, cand)
	}
	if len(got) < n {
		return nil, fmt.Errorf("%w: %d wanted in [%d, %d], %d found", errNoPorts, n, p.lo, p.hi, len(got))
	}
	for _, q := range got {
		p.inUse[q] = true
	}
	p.next = port
	return got, nil
}

// release returns ports whose process group is gone; they rest first, so
// a request still aimed at a dead task cannot reach its successor.
func (p *portPool) release(ports []int) {
	until := time.Now().Add(p.rest)
	for _, q := range ports {
		delete(p.inUse, q)
		p.freeAt[q] = until
	}
}

// bindable reports whether nothing listens on host:port now.
func bindable(host string, port int) bool {
	l, err := net.Listen("tcp4", net.JoinHostPort(host, strconv.Itoa(port)))
	if err != nil {
		return false
	}
	_ = l.Close()
	return true
}
