package waiterhttp

import (
	"context"
	"testing"
	"time"

	"github.com/benbjohnson/clock"
)

// A short exchange registers nothing on its context and is not canceled.
func TestFastWatchShortExchange(t *testing.T) {
	w := fastWatch{clk: clock.New()}
	expired := make(chan struct{}, 1)
	ctx, cancel := context.WithCancel(context.Background())
	w.arm(ctx, func() { expired <- struct{}{} })
	if w.disarm() {
		t.Fatal("a short exchange reported canceled")
	}
	cancel()
	w.mu.Lock()
	registered := w.stop != nil
	w.mu.Unlock()
	if registered {
		t.Error("a short exchange registered an AfterFunc")
	}
	select {
	case <-expired:
		t.Error("the connection of a finished exchange was expired")
	case <-time.After(3 * fastWatchAfter):
	}
}

// A request canceled during a long exchange expires the connection, and
// disarm reports it, whether the context ended before the watch started
// or after.
func TestFastWatchCancelsALongExchange(t *testing.T) {
	for _, early := range []bool{true, false} {
		w := fastWatch{clk: clock.New()}
		expired := make(chan struct{}, 1)
		ctx, cancel := context.WithCancel(context.Background())
		w.arm(ctx, func() { expired <- struct{}{} })
		if early {
			cancel()
		} else {
			deadline := time.Now().Add(5 * time.Second)
			for {
				w.mu.Lock()
				registered := w.stop != nil
				w.mu.Unlock()
				if registered {
					break
				}
				if time.Now().After(deadline) {
					t.Fatal("the watch never registered")
				}
				time.Sleep(time.Millisecond)
			}
			cancel()
		}
		select {
		case <-expired:
		case <-time.After(5 * time.Second):
			t.Fatalf("early %v: the connection was never expired", early)
		}
		if !w.disarm() {
			t.Errorf("early %v: disarm did not report the cancellation", early)
		}
		// The connection is reused by nobody, but the watch is: a new
		// exchange starts clean.
		w.arm(context.Background(), func() { t.Error("expired again") })
		if w.disarm() {
			t.Errorf("early %v: a fresh exchange reported canceled", early)
		}
	}
}
