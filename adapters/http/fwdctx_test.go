package waiterhttp

import (
	"context"
	"errors"
	"testing"
	"time"
)

// fwdCtx cancels as context.WithCancelCause does, for the causes forward
// classifies by, whether its done channel was asked for before, after or
// never.
func TestFwdCtxActsAsWithCancelCause(t *testing.T) {
	for _, when := range []string{"never", "before", "after"} {
		t.Run("done asked "+when, func(t *testing.T) {
			parent, stop := context.WithCancel(context.Background())
			defer stop()
			c := &fwdCtx{parent: parent}
			var ran chan struct{}
			if when == "before" {
				ran = make(chan struct{})
				context.AfterFunc(c, func() { close(ran) })
			}
			if c.Err() != nil || causeOf(c) != nil {
				t.Fatalf("live context: err %v cause %v", c.Err(), causeOf(c))
			}
			c.cancel(errBackendTimeout)
			c.cancel(errClientTimeout) // the first cause stays
			if when == "after" {
				ran = make(chan struct{})
				context.AfterFunc(c, func() { close(ran) })
			}
			if !errors.Is(c.Err(), context.Canceled) || !errors.Is(causeOf(c), errBackendTimeout) {
				t.Errorf("canceled: err %v cause %v", c.Err(), causeOf(c))
			}
			if ran != nil {
				select {
				case <-ran:
				case <-time.After(10 * time.Second):
					t.Fatal("AfterFunc did not run")
				}
				select {
				case <-c.Done():
				default:
					t.Error("Done not closed")
				}
				if !errors.Is(context.Cause(c), errBackendTimeout) {
					t.Errorf("context.Cause of the real context: %v", context.Cause(c))
				}
			}
		})
	}
	t.Run("request context ends first", func(t *testing.T) {
		parent, stop := context.WithCancelCause(context.Background())
		c := &fwdCtx{parent: parent}
		done := c.Done()
		stop(errClientTimeout)
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			t.Fatal("Done not closed by the request context's end")
		}
		c.cancel(errBackendTimeout)
		if !errors.Is(c.Err(), context.Canceled) || !errors.Is(causeOf(c), errClientTimeout) {
			t.Errorf("err %v cause %v, want the request context's", c.Err(), causeOf(c))
		}
		lazy := &fwdCtx{parent: parent} // never asked for Done
		if !errors.Is(lazy.Err(), context.Canceled) || !errors.Is(causeOf(lazy), errClientTimeout) {
			t.Errorf("without a done channel: err %v cause %v", lazy.Err(), causeOf(lazy))
		}
	})
}
