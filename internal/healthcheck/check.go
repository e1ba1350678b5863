package healthcheck

import (
	"context"
	"crypto/tls"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptrace"
	"sync"
	"sync/atomic"
	"time"

	"github.com/waiter-go/waiter/engine"
)

// Prober sends health checks.
type Prober struct {
	client    *http.Client
	timeout   time.Duration
	userAgent string
}

// New returns a prober whose checks give up after timeout.
func New(timeout time.Duration, userAgent string) *Prober {
	return newProber(timeout, userAgent, probeReadBuffer, probeWriteBuffer)
}

// A probe's request is a line and a few headers, and its answer is read
// up to its headers and 4 KB of body: the transport's default buffers, 4
// KB to read and 4 KB to write, made anew for each probe's fresh
// connection, were most of what a probe allocated, and a router with a
// thousand instances probes them every few seconds (BenchmarkCheck). A
// header line longer than the read buffer is still read whole: net/http's
// reader joins its pieces (TestCheckReadsLongHeaders).
const (
	probeReadBuffer  = 1024
	probeWriteBuffer = 512
)

// maxBody is how much of an answer's body a check reads, and maxHead
// the largest answer head it takes: the transport's default
// (MaxResponseHeaderBytes), which CheckOver's own reading keeps.
const (
	maxBody = 4096
	maxHead = 10 << 20
)

// newProber is New with the transport's buffer sizes (0: net/http's
// defaults).
func newProber(timeout time.Duration, userAgent string, readBuffer, writeBuffer int) *Prober {
	tr := &http.Transport{
		// A fresh connection per probe: keep-alive would hide whether the
		// instance still accepts connections, and idle connections to
		// instances that died would pile up.
		DisableKeepAlives: true,
		DialContext:       dial,
		// Instances make up their own certificates; the check is about
		// liveness, not identity.
		TLSClientConfig: &tls.Config{InsecureSkipVerify: true}, //nolint:gosec // see above
		Proxy:           nil,                                   // never send health checks through HTTP_PROXY
		ReadBufferSize:  readBuffer,
		WriteBufferSize: writeBuffer,
	}
	return &Prober{client: &http.Client{Transport: tr}, timeout: timeout, userAgent: userAgent}
}

// Close drops the prober's idle connections.
func (p *Prober) Close() { p.client.CloseIdleConnections() }

// Result is what one check learnt: the status (0 when nothing answered)
// and the facts of Waiter's classify-response-errors as engine flags.
type Result struct {
	Status int
	Flags  engine.InstanceFlags
}

// Healthy reports a 2xx answer.
func (r Result) Healthy() bool {
	return r.Flags&engine.FlagHasResponded != 0 && r.Status >= 200 && r.Status < 300
}

// Check probes url; ctx ends it early.
func (p *Prober) Check(ctx context.Context, url string) Result {
	return p.check(ctx, url, nil)
}

// check is Check, over conn when it is not nil.
func (p *Prober) check(ctx context.Context, url string, conn *opened) Result {
	var res Result
	var connected atomic.Bool
	ctx, cancel := context.WithTimeout(ctx, p.timeout)
	defer cancel()
	if conn != nil {
		defer conn.closeUnused()
		connected.Store(true)
		ctx = context.WithValue(ctx, openedKey{}, conn)
	}
	ctx = httptrace.WithClientTrace(ctx, &httptrace.ClientTrace{
		ConnectDone: func(_, _ string, err error) {
			if err == nil {
				connected.Store(true)
			}
		},
	})
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return res
	}
	req.Header.Set("x-waiter-request-type", "health-check")
	if p.userAgent != "" {
		req.Header.Set("User-Agent", p.userAgent)
	}
	resp, err := p.client.Do(req)
	if connected.Load() {
		res.Flags |= engine.FlagHasConnected
	}
	if err != nil {
		var netErr net.Error
		if errors.Is(err, context.DeadlineExceeded) || (errors.As(err, &netErr) && netErr.Timeout()) {
			res.Flags |= engine.FlagTimeoutException
		}
		var rhe tls.RecordHeaderError
		var alert tls.AlertError
		if errors.As(err, &rhe) || errors.As(err, &alert) {
			res.Flags |= engine.FlagSSLException
		}
		return res
	}
	_, _ = io.CopyN(io.Discard, resp.Body, maxBody)
	_ = resp.Body.Close()
	res.Flags |= engine.FlagHasConnected | engine.FlagHasResponded
	res.Status = resp.StatusCode
	return res
}

// opened is a connection a check was given (CheckOver), for the
// transport's first dial of that check to take; a redirect's dial makes a
// new one.
type opened struct {
	mu   sync.Mutex
	conn net.Conn
}

// openedKey is the context key of a check's opened connection.
type openedKey struct{}

// take returns the connection once, then nil.
func (o *opened) take() net.Conn {
	o.mu.Lock()
	defer o.mu.Unlock()
	c := o.conn
	o.conn = nil
	return c
}

// closeUnused closes the connection if no dial took it (a request that
// failed before dialing); the transport closes one it took.
func (o *opened) closeUnused() {
	if c := o.take(); c != nil {
		_ = c.Close()
	}
}

// dial is the transport's dialer: a check's opened connection first.
func dial(ctx context.Context, network, addr string) (net.Conn, error) {
	if o, ok := ctx.Value(openedKey{}).(*opened); ok {
		if c := o.take(); c != nil {
			return c, nil
		}
	}
	return dialer.DialContext(ctx, network, addr)
}

var dialer net.Dialer

// CheckAll checks every url concurrently, at most max at once, and
// returns the results in the order of urls. The Marathon and Kubernetes
// schedulers probe a whole poll's starting instances this way.
func (p *Prober) CheckAll(ctx context.Context, urls []string, max int) []Result {
	results := make([]Result, len(urls))
	sem := make(chan struct{}, max)
	var wg sync.WaitGroup
	for i, u := range urls {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			results[i] = p.Check(ctx, u)
		}()
	}
	wg.Wait()
	return results
}
