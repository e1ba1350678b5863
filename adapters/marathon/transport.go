package marathon

import (
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"sync/atomic"
	"time"
)

// transport retries transient failures under go-marathon, as Waiter's
// retry-on-transient-server-exceptions does: a request that could not
// connect, or got 502, 503 or 504, was not carried out, so it is sent
// again after a delay that grows 1.5x, while the request's deadline
// (HTTPTimeout) allows. Only then does go-marathon see the failure and
// mark its host down. After Close it answers /ping itself, so that
// go-marathon's background host check (a loop that polls /ping every 5 s
// until it gets 200) ends instead of outliving the scheduler.
type transport struct {
	base    http.RoundTripper
	retries int
	delay   time.Duration
	log     *slog.Logger
	closed  atomic.Bool
}

func (t *transport) RoundTrip(req *http.Request) (*http.Response, error) {
	if t.closed.Load() && strings.HasSuffix(req.URL.Path, "/ping") {
		return &http.Response{StatusCode: http.StatusOK, Status: "200 OK", Proto: "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1,
			Header: http.Header{}, Body: io.NopCloser(strings.NewReader("pong")), Request: req}, nil
	}
	delay := t.delay
	for attempt := 0; ; attempt++ {
		r := req
		if attempt > 0 && req.GetBody != nil {
			body, err := req.GetBody()
			if err != nil {
				return nil, err
			}
			r = req.Clone(req.Context())
			r.Body = body
		}
		resp, err := t.base.RoundTrip(r)
		if !transient(resp, err) || attempt >= t.retries || t.closed.Load() || (req.Body != nil && req.GetBody == nil) {
			return resp, err
		}
		if resp != nil {
			_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
			_ = resp.Body.Close()
		}
		t.log.Debug("marathon: retrying", "method", req.Method, "url", req.URL.Redacted(), "attempt", attempt+1, "err", err)
		timer := time.NewTimer(delay)
		select {
		case <-timer.C:
		case <-req.Context().Done():
			timer.Stop()
			if resp != nil {
				return nil, req.Context().Err()
			}
			return nil, err
		}
		delay = delay * 3 / 2
	}
}

// transient: the request was not carried out and may succeed later.
func transient(resp *http.Response, err error) bool {
	if err != nil {
		var op *net.OpError
		return errors.As(err, &op) && op.Op == "dial"
	}
	switch resp.StatusCode {
	case http.StatusBadGateway, http.StatusServiceUnavailable, http.StatusGatewayTimeout:
		return true
	}
	return false
}
