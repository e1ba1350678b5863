package waiterhttp

import (
	"time"

	"github.com/waiter-go/waiter/engine"
)

// timeouts are one request's time limits (reference 1.6).
type timeouts struct {
	// queue is how long to wait for a slot.
	queue time.Duration
	// socket is the backend idle timeout until the response starts.
	socket time.Duration
	// streaming is the idle timeout between bytes once streaming.
	streaming time.Duration
}

// maxTimeout caps every request timeout, as Waiter does (one hour).
const maxTimeout = time.Hour

// requestTimeouts takes each timeout from the request header, else from
// the last token that sets it (queue-timeout-ms, socket-timeout-ms,
// streaming-timeout-ms), else the router default.
func (s *Server) requestTimeouts(rp engine.RequestParams, metas []map[string]any) timeouts {
	t := timeouts{queue: s.cfg.QueueTimeout, socket: s.cfg.SocketTimeout, streaming: s.cfg.StreamingTimeout}
	fromTokens := func(key string, dst *time.Duration) {
		for _, m := range metas {
			if ms, ok := m[key].(float64); ok && ms > 0 {
				*dst = min(time.Duration(ms)*time.Millisecond, maxTimeout)
			}
		}
	}
	fromTokens("queue-timeout-ms", &t.queue)
	fromTokens("socket-timeout-ms", &t.socket)
	fromTokens("streaming-timeout-ms", &t.streaming)
	if rp.QueueTimeout > 0 {
		t.queue = rp.QueueTimeout
	}
	if rp.SocketTimeout > 0 {
		t.socket = rp.SocketTimeout
	}
	if rp.StreamingTimeout > 0 {
		t.streaming = rp.StreamingTimeout
	}
	return t
}
