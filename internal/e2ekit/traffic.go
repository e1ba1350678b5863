package e2ekit

import (
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// Traffic is requests sent in a loop by a few workers until stopped:
// steady load during a kill or an outage. Each reply is tagged with the
// phase the test was in when the request was sent.
type Traffic struct {
	t     *testing.T // the test that started it
	svc   Service
	phase atomic.Int32
	stopC chan struct{}
	wg    sync.WaitGroup
	// gate is read-held by every request in flight; Pause takes it.
	gate sync.RWMutex

	mu      sync.Mutex
	replies []TaggedReply
}

// TaggedReply is a reply of Traffic.
type TaggedReply struct {
	Reply
	Phase int32
	Sent  time.Time // when the request was sent
	At    time.Time // when the reply came back
}

// Describe says when r was sent and came back (relative to t0), and where
// the router says its time went.
func (r TaggedReply) Describe(t0 time.Time) string {
	return fmt.Sprintf("sent at %s, back at %s from %s (router: %s waiting for an instance, %s in the backend)",
		r.Sent.Sub(t0).Round(time.Millisecond), r.At.Sub(t0).Round(time.Millisecond), r.BackendID,
		r.Waited.Round(time.Millisecond), r.Backend.Round(time.Millisecond))
}

// trafficPace is the least time between two requests of one worker: a
// steady load, not a flood that would starve the parallel tests' CPUs.
const trafficPace = 5 * time.Millisecond

// StartTraffic runs workers goroutines, each sending requests to svc one
// after another; Stop ends them, and so does the test's clean-up (which
// runs before the cluster's: no worker outlives the router).
func (c *Router) StartTraffic(svc Service, workers int) *Traffic {
	tr := &Traffic{t: c.T, svc: svc, stopC: make(chan struct{})}
	c.T.Cleanup(func() { tr.Stop() })
	for range workers {
		tr.wg.Add(1)
		go func() {
			defer tr.wg.Done()
			pace := time.NewTicker(trafficPace)
			defer pace.Stop()
			for {
				select {
				case <-tr.stopC:
					return
				case <-pace.C:
				}
				tr.gate.RLock()
				phase := tr.phase.Load()
				sent := time.Now()
				r := c.Send(svc, nil)
				tr.gate.RUnlock()
				tr.mu.Lock()
				tr.replies = append(tr.replies, TaggedReply{r, phase, sent, time.Now()})
				tr.mu.Unlock()
			}
		}()
	}
	return tr
}

// Pause returns once no request is in flight, and holds new ones until
// Resume.
func (tr *Traffic) Pause() { tr.gate.Lock() }

// Resume lets the workers send again.
func (tr *Traffic) Resume() { tr.gate.Unlock() }

// SetPhase tags the requests sent from now on.
func (tr *Traffic) SetPhase(p int32) { tr.phase.Store(p) }

// Count is how many replies came back in phase p so far.
func (tr *Traffic) Count(p int32) int {
	tr.mu.Lock()
	defer tr.mu.Unlock()
	n := 0
	for _, r := range tr.replies {
		if r.Phase == p {
			n++
		}
	}
	return n
}

// LongestGap is the longest time in [from, to] without a reply of phase
// p: from from to the first, between two, from the last to to; since
// is when it began, and ended the replies that came back first after it
// (those sent before it began were in flight through it), after to if
// none came back before.
func (tr *Traffic) LongestGap(p int32, from, to time.Time) (gap time.Duration, since time.Time, ended []TaggedReply) {
	tr.mu.Lock()
	defer tr.mu.Unlock()
	prev, end := from, -1
	for i, r := range tr.replies { // in the order they came back
		if r.Phase == p && r.At.After(prev) && !r.At.After(to) {
			if d := r.At.Sub(prev); d > gap {
				gap, since, end = d, prev, i
			}
			prev = r.At
		}
	}
	if d := to.Sub(prev); d > gap {
		// The gap lasts to the end of the window: the replies that ended
		// it came back after to.
		gap, since, end = d, prev, len(tr.replies)
		for i, r := range tr.replies {
			if r.Phase == p && r.At.After(to) {
				end = i
				break
			}
		}
	}
	for i := end; i >= 0 && i < len(tr.replies) && len(ended) < 4; i++ {
		ended = append(ended, tr.replies[i])
	}
	return gap, since, ended
}

// Service is the service the workers send to.
func (tr *Traffic) Service() Service { return tr.svc }

// Last is the most recent reply, if any.
func (tr *Traffic) Last() (TaggedReply, bool) {
	tr.mu.Lock()
	defer tr.mu.Unlock()
	if len(tr.replies) == 0 {
		return TaggedReply{}, false
	}
	return tr.replies[len(tr.replies)-1], true
}

// Stop ends the workers (each finishes its request in flight) and returns
// every reply. It is safe to call twice.
func (tr *Traffic) Stop() []TaggedReply {
	select {
	case <-tr.stopC:
	default:
		close(tr.stopC)
	}
	tr.wg.Wait()
	tr.mu.Lock()
	defer tr.mu.Unlock()
	return append([]TaggedReply(nil), tr.replies...)
}
