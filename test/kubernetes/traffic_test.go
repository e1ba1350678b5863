package kubernetes

import (
	"fmt"
	"sync"
	"sync/atomic"
	"time"
)

// sendConcurrently starts n identical requests at once and returns a
// channel that delivers all n replies, in completion order, once the last
// is done; the caller checks the router and Marathon meanwhile.
func (c *cluster) sendConcurrently(svc service, n int, kitchen map[string]string) <-chan []reply {
	out := make(chan []reply, 1)
	replies := make(chan reply, n)
	for range n {
		go func() { replies <- c.send(svc, kitchen) }()
	}
	go func() {
		all := make([]reply, 0, n)
		for range n {
			all = append(all, <-replies)
		}
		out <- all
	}()
	return out
}

// traffic is requests sent in a loop by a few workers until stopped:
// steady load during a kill or an outage. Each reply is tagged with the
// phase the test was in when the request was sent.
type traffic struct {
	svc   service
	phase atomic.Int32
	stopC chan struct{}
	wg    sync.WaitGroup
	// gate is read-held by every request in flight; pause takes it.
	gate sync.RWMutex

	mu      sync.Mutex
	replies []taggedReply
}

type taggedReply struct {
	reply
	phase int32
	sent  time.Time // when the request was sent
	at    time.Time // when the reply came back
}

// describe says when r was sent and came back (relative to t0), and where
// the router says its time went.
func (r taggedReply) describe(t0 time.Time) string {
	return fmt.Sprintf("sent at %s, back at %s from %s (router: %s waiting for an instance, %s in the backend)",
		r.sent.Sub(t0).Round(time.Millisecond), r.at.Sub(t0).Round(time.Millisecond), r.backendID,
		r.waited.Round(time.Millisecond), r.backend.Round(time.Millisecond))
}

// trafficPace is the least time between two requests of one worker: a
// steady load, not a flood that would starve the parallel tests' CPUs.
const trafficPace = 5 * time.Millisecond

// startTraffic runs workers goroutines, each sending requests to svc one
// after another; stop ends them, and so does the test's clean-up (which
// runs before the cluster's: no worker outlives the router).
func (c *cluster) startTraffic(svc service, workers int) *traffic {
	tr := &traffic{svc: svc, stopC: make(chan struct{})}
	c.t.Cleanup(func() { tr.stop() })
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
				r := c.send(svc, nil)
				tr.gate.RUnlock()
				tr.mu.Lock()
				tr.replies = append(tr.replies, taggedReply{r, phase, sent, time.Now()})
				tr.mu.Unlock()
			}
		}()
	}
	return tr
}

// pause returns once no request is in flight, and holds new ones until
// resume.
func (tr *traffic) pause() { tr.gate.Lock() }

// resume lets the workers send again.
func (tr *traffic) resume() { tr.gate.Unlock() }

// setPhase tags the requests sent from now on.
func (tr *traffic) setPhase(p int32) { tr.phase.Store(p) }

// count is how many replies came back in phase p so far.
func (tr *traffic) count(p int32) int {
	tr.mu.Lock()
	defer tr.mu.Unlock()
	n := 0
	for _, r := range tr.replies {
		if r.phase == p {
			n++
		}
	}
	return n
}

// longestGap is the longest time in [from, to] without a reply of phase
// p: from from to the first, between two, from the last to to; since
// is when it began, and ended the replies that came back first after it
// (those sent before it began were in flight through it), after to if
// none came back before.
func (tr *traffic) longestGap(p int32, from, to time.Time) (gap time.Duration, since time.Time, ended []taggedReply) {
	tr.mu.Lock()
	defer tr.mu.Unlock()
	prev, end := from, -1
	for i, r := range tr.replies { // in the order they came back
		if r.phase == p && r.at.After(prev) && !r.at.After(to) {
			if d := r.at.Sub(prev); d > gap {
				gap, since, end = d, prev, i
			}
			prev = r.at
		}
	}
	if d := to.Sub(prev); d > gap {
		// The gap lasts to the end of the window: the replies that ended
		// it came back after to.
		gap, since, end = d, prev, len(tr.replies)
		for i, r := range tr.replies {
			if r.phase == p && r.at.After(to) {
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

// last is the most recent reply, if any.
func (tr *traffic) last() (taggedReply, bool) {
	tr.mu.Lock()
	defer tr.mu.Unlock()
	if len(tr.replies) == 0 {
		return taggedReply{}, false
	}
	return tr.replies[len(tr.replies)-1], true
}

// stop ends the workers (each finishes its request in flight) and returns
// every reply. It is safe to call twice.
func (tr *traffic) stop() []taggedReply {
	select {
	case <-tr.stopC:
	default:
		close(tr.stopC)
	}
	tr.wg.Wait()
	tr.mu.Lock()
	defer tr.mu.Unlock()
	return append([]taggedReply(nil), tr.replies...)
}
