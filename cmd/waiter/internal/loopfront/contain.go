//go:build linux

package loopfront

import (
	"fmt"
	"runtime/debug"
)

// A panic while a loop serves one client's request (a bug of the
// router's own, on the loop's path or in the edge's code it calls) ends
// that client's connection, not the router: a loop holds thousands of
// connections, and ending the process would drop them all, where
// net/http's server, and the goroutine front (internal/h1serve), end
// only the connection whose request panicked. The request's grant goes
// back (waiterhttp.LoopCall.Abandon): kept, the instance would count the
// request in flight for good.
//
// A panic while the loop serves none of its clients (waiting for events,
// accepting, its own bookkeeping) is not contained: the loop's state
// itself is then in doubt, and the process ends as before.

// serving is what a loop is serving when a panic comes: the client whose
// request it is (nil: none), and while the loop reads its mailbox, the
// index of the mail it is taking (the mails after it go back to the
// mailbox).
type serving struct {
	c      *client
	inMail bool
	mail   int
}

// attend records that the loop serves s now: a client, or a backend
// connection, for the client whose request it carries as the event
// comes (the backend's code drops that link as it ends the exchange).
// An idle pooled connection, an acceptor: no client.
func (l *loop) attend(s any) {
	switch s := s.(type) {
	case *client:
		l.serving.c = s
	case *backend:
		l.serving.c = s.cl
	default:
		l.serving.c = nil
	}
}

// runTimers runs the deadlines that have come; each socket's is served
// as its event would be (attend).
func (l *loop) runTimers() {
	l.timers.run(l.now)
	l.serving.c = nil
}

// contain is serve's deferred call: when serving a client panicked, the
// client is ended (abandon), the mails not taken yet go back to the
// mailbox, and run serves on.
func (l *loop) contain() {
	c := l.serving.c
	if c == nil {
		return // no panic, or one no client's request explains: it goes on
	}
	v := recover()
	if v == nil {
		return
	}
	if log := l.f.cfg.Logger; log != nil {
		log.Error("loopfront: panic serving a request; its connection is closed", "client", c.remote,
			"panic", fmt.Sprint(v), "stack", string(debug.Stack()))
	}
	l.serving.c = nil
	if l.serving.inMail {
		l.serving.inMail = false
		l.requeueMail(l.serving.mail + 1)
	}
	l.f.contained.Add(1)
	if count := l.f.cfg.Contained; count != nil {
		count()
	}
	if l.socks.get(c.fd) == sock(c) {
		c.abandon()
	} // else it had closed, or gone to the goroutine front, before the panic
}

// requeueMail puts the mails of the loop's copy from from on back at the
// head of its mailbox, and wakes the loop to take them: a panic while
// one mail was taken must not lose the others (an admission's grant
// would be lost with its mail). The copy is emptied, the mail that
// panicked too.
func (l *loop) requeueMail(from int) {
	rest := l.box[min(from, len(l.box)):]
	if len(rest) > 0 {
		l.mu.Lock()
		l.mail = append(append([]mail(nil), rest...), l.mail...)
		l.mu.Unlock()
		l.wake()
	}
	clear(l.box)
	l.box = l.box[:0]
}

// abandon ends the client after a panic while serving it, in whatever
// state the panic left its request: the grant goes back, the instance's
// connection is closed, not pooled, and neither the client's record nor
// its kit is used again.
func (c *client) abandon() {
	c.spoiled = true
	if b := c.be; b != nil {
		c.be = nil
		b.close()
	}
	if k := c.k; k != nil {
		c.k = nil
		k.call.Abandon()
	}
	c.state = cIdle
	c.close()
}
