package localproc

import (
	"errors"
	"fmt"
	"net"
	"strconv"
	"time"
)

// ErrNoPorts means the range has too few ports that are free: not held by
// the pool, not resting after a release, and not bound by another program.
var ErrNoPorts = errors.New("localproc: not enough free ports")

// PortPool hands out ports from an inclusive range, as a Mesos agent
// offers its ports resource. A port is free when the pool does not hold
// it, its rest after release is over, and the OS lets us bind it (another
// program may listen there). Reservations go round-robin from where the
// last one ended, so a released port is the last to be reused even once
// its rest is over. Not safe for concurrent use: its owner's mutex guards
// it.
type PortPool struct {
	lo, hi int
	rest   time.Duration
	now    func() time.Time
	// Bindable asks the OS whether a port can be bound now; tests replace
	// it to play another program holding a port.
	Bindable func(port int) bool

	next int
	// inUse holds ports whose process group may still be running.
	inUse map[int]bool
	// freeAt holds released ports until their rest ends.
	freeAt map[int]time.Time
}

// NewPortPool returns a pool of [lo, hi] whose ports are bound on host
// to see whether they are free; now tells the time for the rest.
func NewPortPool(lo, hi int, rest time.Duration, host string, now func() time.Time) *PortPool {
	return &PortPool{lo: lo, hi: hi, rest: rest, now: now,
		Bindable: func(port int) bool { return Bindable(host, port) },
		next:     lo, inUse: map[int]bool{}, freeAt: map[int]time.Time{}}
}

// Reserve takes n free ports, or none (ErrNoPorts).
func (p *PortPool) Reserve(n int) ([]int, error) {
	now := p.now()
	got := make([]int, 0, n)
	port := p.next
	for tried := 0; tried <= p.hi-p.lo && len(got) < n; tried++ {
		cand := port
		if port++; port > p.hi {
			port = p.lo
		}
		if p.inUse[cand] || now.Before(p.freeAt[cand]) || !p.Bindable(cand) {
			continue
		}
		delete(p.freeAt, cand)
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

// Claim marks ports as held without reserving them: those of a process
// group the pool's owner adopted from a predecessor.
func (p *PortPool) Claim(ports []int) {
	for _, q := range ports {
		p.inUse[q] = true
		delete(p.freeAt, q)
	}
}

// Release returns ports once no process of their group is left; they
// rest first.
func (p *PortPool) Release(ports []int) {
	until := p.now().Add(p.rest)
	for _, q := range ports {
		delete(p.inUse, q)
		p.freeAt[q] = until
	}
}

// Bindable reports whether nothing listens on host:port now. It cannot
// promise the port is still free when a process binds it, but it keeps
// the pool from handing out ports other programs hold.
func Bindable(host string, port int) bool {
	l, err := net.Listen("tcp4", net.JoinHostPort(host, strconv.Itoa(port)))
	if err != nil {
		return false
	}
	_ = l.Close()
	return true
}
