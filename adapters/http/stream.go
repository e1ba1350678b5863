package waiterhttp

import (
	"context"
	"errors"
	"io"
	"net/http"
	"sync"
	"time"
)

// bufPool holds the 32 KiB copy buffers (Waiter's client buffer size).
var bufPool = sync.Pool{New: func() any { b := make([]byte, 32<<10); return &b }}

// stream copies the backend's response body to the client. Time blocked
// reading the backend counts against the streaming timeout; a response of
// unknown length is flushed after every chunk so streaming clients see
// bytes as the backend produces them. It reports which side failed.
func (s *Server) stream(ctx context.Context, w http.ResponseWriter, resp *http.Response,
	idle time.Duration, cancel context.CancelCauseFunc) (backendErr, clientErr error) {
	dog := newWatchdog(s.clock, cancel, errStreamingTimeout)
	defer dog.stop()
	rc := http.NewResponseController(w)
	flush := resp.ContentLength < 0
	bp := bufPool.Get().(*[]byte)
	defer bufPool.Put(bp)
	buf := *bp
	for {
		dog.arm(idle)
		n, rerr := resp.Body.Read(buf)
		dog.stop()
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
			if cause := context.Cause(ctx); cause != nil && !errors.Is(cause, context.Canceled) {
				return cause, nil
			}
			return rerr, nil
		}
	}
}
