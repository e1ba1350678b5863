package healthcheck

import (
	"bufio"
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"net/url"
	"time"

	"github.com/waiter-go/waiter/engine"
)

// CheckOver is Check sent over conn, a connection to rawURL's host and
// port the caller opened itself: the shell scheduler connects to a
// starting instance before anything else, since a refused connect tells
// it, for a tenth of what reading the listening sockets costs, that the
// instance does not listen yet.
//
// conn is the check's. It comes back open when the answer was healthy
// and the connection can carry the instance's next request: plain HTTP,
// an HTTP/1.1 answer that does not close and was read whole. The caller
// then owns it, and may give it to the proxy (internal/warmconn);
// otherwise it is closed and nil comes back. An https check goes through
// the transport (TLS), over conn, and never returns it. A redirect is
// followed as Check follows it, from the start on a new connection.
func (p *Prober) CheckOver(ctx context.Context, rawURL string, conn net.Conn) (Result, net.Conn) {
	u, err := url.Parse(rawURL)
	if err != nil || u.Scheme != "http" {
		return p.check(ctx, rawURL, &opened{conn: conn}), nil
	}
	res, reusable := p.exchange(ctx, u, conn)
	if res.Status >= 300 && res.Status < 400 {
		_ = conn.Close()
		return p.Check(ctx, rawURL), nil
	}
	if !reusable {
		_ = conn.Close()
		return res, nil
	}
	return res, conn
}

// exchange sends the check over conn and reads its answer with net/http's
// reader, the transport's wire code without its connection management:
// the connection stays the caller's. reusable: the answer was healthy and
// left conn ready for another request, with its deadlines cleared.
func (p *Prober) exchange(ctx context.Context, u *url.URL, conn net.Conn) (res Result, reusable bool) {
	res.Flags = engine.FlagHasConnected
	deadline := time.Now().Add(p.timeout)
	if d, ok := ctx.Deadline(); ok && d.Before(deadline) {
		deadline = d
	}
	_ = conn.SetDeadline(deadline)
	// ctx ending (the instance stopping) ends a read or write in flight.
	stop := context.AfterFunc(ctx, func() { _ = conn.SetDeadline(time.Unix(1, 0)) })
	defer stop()
	timedOut := func(err error) bool {
		var ne net.Error
		return ctx.Err() != context.Canceled && errors.As(err, &ne) && ne.Timeout()
	}

	req := &http.Request{Method: http.MethodGet, URL: u, Host: u.Host, Proto: "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1,
		Header: http.Header{"X-Waiter-Request-Type": {"health-check"}}}
	if p.userAgent != "" {
		req.Header.Set("User-Agent", p.userAgent)
	}
	bw := bufio.NewWriterSize(conn, probeWriteBuffer)
	err := req.Write(bw)
	if err == nil {
		err = bw.Flush()
	}
	if err != nil {
		if timedOut(err) {
			res.Flags |= engine.FlagTimeoutException
		}
		return res, false
	}
	// What the instance may send is bounded, as the transport bounds an
	// answer's head (Check): net/http's reader has no bound of its own.
	// An answer cut at the bound fails to parse, or is not read whole,
	// and its connection is closed.
	br := bufio.NewReaderSize(io.LimitReader(conn, maxHead+maxBody+1), probeReadBuffer)
	resp, err := http.ReadResponse(br, req)
	if err != nil {
		if timedOut(err) {
			res.Flags |= engine.FlagTimeoutException
		}
		return res, false
	}
	res.Flags |= engine.FlagHasResponded
	res.Status = resp.StatusCode
	// As Check: at most 4 KB of the body is read. io.EOF: it ended
	// within them, so nothing of this answer is left on the connection.
	_, err = io.CopyN(io.Discard, resp.Body, maxBody+1)
	whole := errors.Is(err, io.EOF)
	_ = resp.Body.Close()
	if !whole || resp.Close || !resp.ProtoAtLeast(1, 1) || br.Buffered() > 0 || !res.Healthy() || ctx.Err() != nil {
		return res, false
	}
	if !stop() {
		return res, false // ctx ended meanwhile and expired the deadline
	}
	return res, conn.SetDeadline(time.Time{}) == nil
}
