package waiterhttp

import (
	"errors"
	"io"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/waiter-go/waiter/internal/h1guard"
)

// How requests are bounded in time. The listener (cmd/waiter) bounds
// reading the request header (ReadHeaderTimeout), its size
// (MaxHeaderBytes) and idle keep-alive connections (IdleTimeout), and sets
// no ReadTimeout or WriteTimeout: either would cut a proxied upload or
// download that is long but alive. The rest is per request:
//
//   - API bodies get a deadline (APIBodyTimeout) from the start of the
//     request until the body's end, and a size limit (MaxAPIBodyBytes);
//     API responses get a deadline (APIWriteTimeout) from their first
//     byte. Both are set with http.ResponseController on the connection
//     and both are lifted when the body ends or the response is written,
//     because a connection is reused: a deadline left behind would cut
//     the next request on it, perhaps a long proxied stream.
//   - Proxied bodies are bounded by idleness, not total time: the
//     streaming timeout (x-waiter-streaming-timeout) between bytes in
//     either direction (watchdog.go), so an upload that stalls frees its
//     instance slot while one that keeps sending is never cut.
//   - A proxied body that was not read to its end when the answer is
//     written (a refusal before the request reached an instance, or an
//     instance that answered early) is not drained from a client that may
//     have stalled: the answer says Connection: close, and once the
//     handler is done the read deadline expires. Both are needed: the
//     header keeps the server from draining the body before it writes the
//     answer, and from parsing what is left of the body as a next request;
//     the deadline bounds the drain the server still tries afterwards.
//
// Socket deadlines are wall-clock instants for the kernel, so they are
// computed from the injected clock, which is the real one in production.

// bodyTooLarge is what reading an API body past MaxAPIBodyBytes returns.
type bodyTooLarge struct{ limit int64 }

func (e *bodyTooLarge) Error() string {
	return "request body exceeds the limit of " + strconv.FormatInt(e.limit, 10) + " bytes"
}

// bodyTimedOut is what reading an API body past APIBodyTimeout returns.
type bodyTimedOut struct {
	limit time.Duration
	err   error
}

func (e *bodyTimedOut) Error() string { return "request body timed out: " + e.err.Error() }
func (e *bodyTimedOut) Unwrap() error { return e.err }

// bodyError is the answer for an error reading a guarded body, or nil
// when the error is something else.
func bodyError(err error) *Error {
	var big *bodyTooLarge
	var slow *bodyTimedOut
	switch {
	case errors.As(err, &big):
		return &Error{Status: http.StatusRequestEntityTooLarge, Cause: err,
			Message: "Request body exceeds the limit of " + strconv.FormatInt(big.limit, 10) + " bytes (max-api-body-bytes)"}
	case errors.As(err, &slow):
		return &Error{Status: http.StatusRequestTimeout, Cause: err,
			Message: "Timeout receiving the request body (api-body-timeout " + slow.limit.String() + ")"}
	}
	return nil
}

// guardedBody is a request body that knows when it was read to its end,
// and, for API requests, enforces the size limit and maps a deadline
// error to bodyTimedOut.
type guardedBody struct {
	body io.ReadCloser
	// atEOF runs once, when the body ends (API: lift the read deadline).
	atEOF func()
	limit int64 // 0: no limit
	// timeout is the API body timeout a deadline error is reported with.
	timeout time.Duration

	// size is the announced length (-1: chunked); a body read to its
	// length has ended even before a read returns io.EOF (the transport
	// stops at the length and may ask for EOF only after it has sent the
	// last bytes, racing the backend's answer).
	size int64

	mu   sync.Mutex
	read int64
	eof  bool
}

func (b *guardedBody) Read(p []byte) (int, error) {
	if b.limit > 0 {
		b.mu.Lock()
		room := b.limit + 1 - b.read // one byte more tells "too large" from "exactly the limit"
		b.mu.Unlock()
		if room <= 0 {
			return 0, &bodyTooLarge{limit: b.limit}
		}
		if int64(len(p)) > room {
			p = p[:room]
		}
	}
	n, err := b.body.Read(p)
	b.mu.Lock()
	b.read += int64(n)
	over := b.limit > 0 && b.read > b.limit
	ended := errors.Is(err, io.EOF) && !b.eof
	if ended {
		b.eof = true
	}
	b.mu.Unlock()
	switch {
	case over:
		return n, &bodyTooLarge{limit: b.limit}
	case ended && b.atEOF != nil:
		b.atEOF()
	case err != nil && b.timeout > 0 && h1guard.IsTimeout(err):
		return n, &bodyTimedOut{limit: b.timeout, err: err}
	}
	return n, err
}

func (b *guardedBody) Close() error { return b.body.Close() }

func (b *guardedBody) ended() bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.eof || (b.size >= 0 && b.read >= b.size)
}

// hasBody reports whether a request carries a body to read.
func hasBody(r *http.Request) bool {
	return r.Body != nil && r.Body != http.NoBody && r.ContentLength != 0
}

// guardAPI bounds an API request: it refuses a body announced larger than
// the limit, puts the body under its size limit and deadline, and wraps w
// so the response gets its write deadline. A body the handler leaves
// unread stays under its deadline, which bounds the server's drain of it
// (and a failed drain closes the connection).
func (s *Server) guardAPI(w http.ResponseWriter, r *http.Request) (http.ResponseWriter, *http.Request, *Error) {
	rc := http.NewResponseController(w)
	if r.ContentLength > s.cfg.MaxAPIBodyBytes {
		// Refused unread: the connection closes after the answer rather
		// than draining a body this large (HTTP/1; an HTTP/2 stream just
		// ends).
		if r.ProtoMajor == 1 {
			w.Header().Set("Connection", "close")
		}
		_ = rc.SetReadDeadline(time.Unix(1, 0))
		return w, r, bodyError(&bodyTooLarge{limit: s.cfg.MaxAPIBodyBytes})
	}
	if hasBody(r) {
		_ = rc.SetReadDeadline(s.clock.Now().Add(s.cfg.APIBodyTimeout))
		r.Body = &guardedBody{body: r.Body, size: r.ContentLength, limit: s.cfg.MaxAPIBodyBytes, timeout: s.cfg.APIBodyTimeout,
			atEOF: func() { _ = rc.SetReadDeadline(time.Time{}) }}
	}
	return &deadlineWriter{ResponseWriter: w, rc: rc, now: s.clock.Now, timeout: s.cfg.APIWriteTimeout}, r, nil
}

// deadlineWriter starts the API write deadline with the response's first
// byte (a /waiter-ping may take minutes before it answers). The server
// flushes the response under it and lifts it before the connection's
// next request (net/http resets the write deadline after every request).
type deadlineWriter struct {
	http.ResponseWriter
	rc      *http.ResponseController
	now     func() time.Time
	timeout time.Duration
	started bool
}

func (d *deadlineWriter) start() {
	if !d.started {
		d.started = true
		_ = d.rc.SetWriteDeadline(d.now().Add(d.timeout))
	}
}

func (d *deadlineWriter) WriteHeader(code int) {
	d.start()
	d.ResponseWriter.WriteHeader(code)
}

func (d *deadlineWriter) Write(p []byte) (int, error) {
	d.start()
	return d.ResponseWriter.Write(p)
}

// Flush lets handlers that stream flush through the wrapper.
func (d *deadlineWriter) Flush() { _ = d.rc.Flush() }

// Unwrap gives http.ResponseController the connection's writer.
func (d *deadlineWriter) Unwrap() http.ResponseWriter { return d.ResponseWriter }

// guardProxy marks a proxied request's body so that the proxy can tell
// whether it was read to its end (closeIfBodyUnread), and returns what
// must run when the handler is done: if the body was not read to its end,
// the read deadline expires, so the server's drain of it does not wait on
// a client that stalled.
func (s *Server) guardProxy(w http.ResponseWriter, r *http.Request) (*http.Request, func()) {
	if !hasBody(r) {
		return r, func() {}
	}
	gb := &guardedBody{body: r.Body, size: r.ContentLength}
	r.Body = gb
	return r, func() {
		if !gb.ended() {
			_ = http.NewResponseController(w).SetReadDeadline(time.Unix(1, 0))
		}
	}
}

// closeIfBodyUnread makes an answer close the connection when the
// request's body has not been read to its end: the server must neither
// drain it first (the client may have stalled) nor read what is left of
// it as the next request. It must run before the header is written.
//
// Only for HTTP/1: an HTTP/2 stream's body cannot desync its connection,
// and Connection: close on an HTTP/2 response would shut down the whole
// multiplexed connection.
func closeIfBodyUnread(h http.Header, r *http.Request) {
	if r.ProtoMajor != 1 {
		return
	}
	if gb, ok := r.Body.(*guardedBody); ok && !gb.ended() {
		h.Set("Connection", "close")
	}
}
