package waiterhttp

import (
	"context"
	"sync"
	"time"
)

// fwdCtx is forward's context on the fast client's path, kept in the
// request's forwarding record: context.WithCancelCause cost two
// allocations per request (the context and its cancel func) and a
// registration in the request context's children, under its lock, while
// a fast exchange almost never needs a done channel (the fast client
// watches the context only once an exchange runs 20 ms: fastWatch). The
// real context, with the same cancellation, is made when Done or
// AfterFunc is first asked for. Its cause is read with causeOf, not
// context.Cause (which cannot see into it).
type fwdCtx struct {
	parent context.Context // the request's
	mu     sync.Mutex
	err    error // set by cancel
	cause  error
	// real is made on demand, canceled with cancel's cause.
	real       context.Context
	realCancel context.CancelCauseFunc
}

func (c *fwdCtx) Deadline() (time.Time, bool) { return c.parent.Deadline() }

func (c *fwdCtx) Done() <-chan struct{} { return c.materialize().Done() }

// AfterFunc makes context.AfterFunc register f with the real context
// (the context package asks for this method before it starts a goroutine
// to wait on a context it does not know).
func (c *fwdCtx) AfterFunc(f func()) func() bool { return context.AfterFunc(c.materialize(), f) }

func (c *fwdCtx) Err() error {
	c.mu.Lock()
	err, real := c.err, c.real
	c.mu.Unlock()
	switch {
	case err != nil:
		return err
	case real != nil:
		return real.Err()
	}
	return c.parent.Err()
}

func (c *fwdCtx) Value(key any) any {
	c.mu.Lock()
	real := c.real
	c.mu.Unlock()
	if real != nil {
		return real.Value(key)
	}
	return c.parent.Value(key)
}

// Cause is context.Cause's answer for a context made by WithCancelCause:
// the cause of cancel, or of the request context's end, else nil.
func (c *fwdCtx) Cause() error {
	c.mu.Lock()
	err, cause, real := c.err, c.cause, c.real
	c.mu.Unlock()
	switch {
	case err != nil:
		return cause
	case real != nil:
		return context.Cause(real)
	case c.parent.Err() != nil:
		return context.Cause(c.parent)
	}
	return nil
}

// cancel is the context's CancelCauseFunc: the first cancellation (its
// own or the request context's) decides the cause.
func (c *fwdCtx) cancel(cause error) {
	c.mu.Lock()
	if c.err != nil {
		c.mu.Unlock()
		return
	}
	if perr := c.parent.Err(); perr != nil {
		c.err, c.cause = perr, context.Cause(c.parent)
	} else {
		if cause == nil {
			cause = context.Canceled
		}
		c.err, c.cause = context.Canceled, cause
	}
	realCancel := c.realCancel
	c.mu.Unlock()
	if realCancel != nil {
		realCancel(cause)
	}
}

func (c *fwdCtx) cancelWith(cause error) { c.cancel(cause) }

// materialize returns the real context, made (and canceled if c is) the
// first time.
func (c *fwdCtx) materialize() context.Context {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.real == nil {
		c.real, c.realCancel = context.WithCancelCause(c.parent)
		if c.err != nil {
			c.realCancel(c.cause)
		}
	}
	return c.real
}

// causeOf is context.Cause(ctx), for forward's contexts of either kind.
func causeOf(ctx context.Context) error {
	if c, ok := ctx.(*fwdCtx); ok {
		return c.Cause()
	}
	return context.Cause(ctx)
}
