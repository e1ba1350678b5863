package waiterhttp

import (
	"context"
	"errors"
	"io"
	"net/http"
	"sync"
	"time"
)

// inMemory reports a fast client's response body whose reads cannot wait
// on the backend: read whole already, or of a known length no longer than
// what the connection's buffer holds (the body still to come is at most
// that).
func inMemory(body io.ReadCloser) bool {
	fb, ok := body.(*fastBody)
	if !ok {
		return false
	}
	if fb.done || fb.stream == nil {
		return true
	}
	cl := fb.resp.Header.ContentLength()
	return cl >= 0 && fb.conn.br.Buffered() >= cl
}

// bufPool holds the 32 KiB copy buffers (Waiter's client buffer size).
var bufPool = sync.Pool{New: func() any { b := make([]byte, 32<<10); return &b }}

// stream copies the backend's response body to the client. Time blocked
// reading the backend counts against the streaming timeout; a response of
// unknown length is flushed after every chunk so streaming clients see
// bytes as the backend produces them. It reports which side failed.
func (s *Server) stream(ctx context.Context, w http.ResponseWriter, rc *http.ResponseController, resp *http.Response,
	idle time.Duration, cancel canceler) (backendErr, clientErr error) {
	if inMemory(resp.Body) {
		// A body already read whole (the fast client's short answers)
		// cannot stall: no timer to arm.
		idle = 0
	}
	var dog *watchdog // nil: no streaming timeout to watch
	if idle > 0 {
		dog = &watchdog{clk: s.clock, cancel: cancel, cause: errStreamingTimeout}
		defer dog.stop()
	}
	flush := resp.ContentLength < 0
	bp := bufPool.Get().(*[]byte)
	defer bufPool.Put(bp)
	buf := *bp
	for {
		if dog != nil {
			dog.arm(idle)
		}
		n, rerr := resp.Body.Read(buf)
		if dog != nil {
			dog.stop()
		}
		if n > 0 {
			if _, werr := w.Write(buf[:n]); werr != nil {
				return nil, werr
			}
			if flush {
				if ferr := rc.Flush(); ferr != nil {
					return nil, ferr
				}
			}
		}
		switch {
		case errors.Is(rerr, io.EOF):
			return nil, nil
		case rerr != nil:
			if cause := causeOf(ctx); cause != nil && !errors.Is(cause, context.Canceled) {
				return cause, nil
			}
			return rerr, nil
		}
	}
}
