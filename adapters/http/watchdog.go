package waiterhttp

import (
	"context"
	"errors"
	"io"
	"net/http"
	"sync"
	"time"

	"github.com/benbjohnson/clock"
)

// Causes a watchdog cancels a proxied request with; classify turns them
// into Waiter's answers.
var (
	// errBackendTimeout: the backend sent nothing for the socket timeout
	// before its response started (504).
	errBackendTimeout = errors.New("backend idle timeout before the response started")
	// errStreamingTimeout: the backend sent nothing for the streaming
	// timeout while streaming its response.
	errStreamingTimeout = errors.New("backend idle timeout while streaming the response")
	// errClientTimeout: the client sent nothing for the streaming timeout
	// while streaming its request body (408).
	errClientTimeout = errors.New("client idle timeout while streaming the request")
)

// watchdog cancels a request's context with a fixed cause when it stays
// armed for its duration. Arming again pushes the deadline out, so it
// measures idleness, not total time. One clock timer is reused for the
// whole request.
type watchdog struct {
	clk    clock.Clock
	cancel canceler
	cause  error

	mu       sync.Mutex
	timer    *clock.Timer
	armed    bool
	disabled bool
	deadline time.Time
}

func newWatchdog(clk clock.Clock, cancel context.CancelCauseFunc, cause error) *watchdog {
	return &watchdog{clk: clk, cancel: causeFunc(cancel), cause: cause}
}

// canceler ends a request's context with a cause: a
// context.CancelCauseFunc (causeFunc), or forward's fwdCtx itself, whose
// method value would be an allocation per request.
type canceler interface{ cancelWith(cause error) }

// causeFunc is a context.CancelCauseFunc as a canceler.
type causeFunc context.CancelCauseFunc

func (f causeFunc) cancelWith(cause error) { f(cause) }

// arm starts (or restarts) the countdown of d; d <= 0 disables it.
func (w *watchdog) arm(d time.Duration) {
	if d <= 0 {
		return
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.disabled {
		return
	}
	w.armed = true
	w.deadline = w.clk.Now().Add(d)
	if w.timer == nil {
		w.timer = w.clk.AfterFunc(d, w.fire)
		return
	}
	w.timer.Reset(d)
}

// stop disarms the countdown.
func (w *watchdog) stop() {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.armed = false
	if w.timer != nil {
		w.timer.Stop()
	}
}

// disable stops the watchdog for good: after the handler returns, nothing
// may touch its request any more.
func (w *watchdog) disable() {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.armed, w.disabled = false, true
	if w.timer != nil {
		w.timer.Stop()
	}
}

// fire cancels the request unless the watchdog was disarmed or re-armed
// after this timer started (a Reset that raced with the firing).
func (w *watchdog) fire() {
	w.mu.Lock()
	due := w.armed && !w.clk.Now().Before(w.deadline)
	w.mu.Unlock()
	if due {
		w.cancel.cancelWith(w.cause)
	}
}

// clientBody is the client's request body as the backend reads it. Time
// spent blocked in Read waits on the client (the streaming timeout
// applies); every chunk that arrives is activity on the backend socket
// (the socket timeout restarts). It remembers the first read failure so a
// broken upload is blamed on the client, not the instance.
type clientBody struct {
	body     io.ReadCloser
	idle     *watchdog
	idleFor  time.Duration
	activity func()

	mu  sync.Mutex
	err error
	eof bool
}

func (b *clientBody) Read(p []byte) (int, error) {
	b.idle.arm(b.idleFor)
	n, err := b.body.Read(p)
	b.idle.stop()
	if n > 0 && b.activity != nil {
		b.activity()
	}
	if err != nil {
		b.mu.Lock()
		if errors.Is(err, io.EOF) {
			b.eof = true
		} else if b.err == nil {
			b.err = err
		}
		b.mu.Unlock()
	}
	return n, err
}

func (b *clientBody) Close() error { return b.body.Close() }

// finish runs before the handler returns: the idle watchdog stops, and if
// the body was not read to its end (the backend answered early, or the
// request failed), the connection's read deadline expires so the
// transport's writer, possibly blocked reading a stalled client, lets go.
func (b *clientBody) finish(rc *http.ResponseController) {
	if b == nil {
		return
	}
	b.idle.disable()
	b.mu.Lock()
	done := b.eof
	b.mu.Unlock()
	if !done {
		_ = rc.SetReadDeadline(time.Unix(1, 0))
	}
}

// brokeFirst is the error that ended the client's body before the
// instance's answer came (nil if none): its read failed, or the idle
// watchdog stopped the exchange (ctx's cause). b may be nil (no body).
func (b *clientBody) brokeFirst(ctx context.Context) error {
	if b == nil {
		return nil
	}
	if err := b.failed(); err != nil {
		return err
	}
	if cause := causeOf(ctx); errors.Is(cause, errClientTimeout) {
		return cause
	}
	return nil
}

// failed returns the first read error, if any (the transport reads the
// body on its own goroutine, hence the lock).
func (b *clientBody) failed() error {
	if b == nil {
		return nil
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.err
}
