package waiterhttp

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"net/netip"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/benbjohnson/clock"
	"github.com/valyala/fasthttp"
)

// The fast backend client. Profiling `waiter serve` under wrk (perf,
// test/bench/proxybench) put about a quarter of the router's CPU in
// net/http's client transport: every round trip hands the request to a
// per-connection writer goroutine and the response back from a reader
// goroutine through channels and selects, and builds a header map for
// the answer. For the common request (HTTP/1.1 instance, no upgrade, no
// gRPC, no body or a small one of known length) fasthttp's HostClient
// does the same round trip on the calling goroutine with pooled
// connections and pooled request and response objects. Everything else
// (h2, h2c, https backends, streamed or large uploads, websockets, gRPC,
// a transport given in the configuration, the mock clock of tests) goes
// through net/http's transport as before.
//
// What the transport did through the request's context, the fast client
// does through the connection: the socket timeout is the round trip's
// deadline (a timeout is reported as the watchdog's errBackendTimeout),
// and once the answer has started, a canceled request (client gone,
// streaming timeout) expires the backend connection's read deadline,
// which ends a read blocked on the instance and closes that connection.

// fastMaxBody is the largest request body sent through the fast client;
// it is read from the client before the request is sent, so that an
// instance that answers before reading a large upload cannot stall the
// exchange. Larger or chunked bodies stream through net/http.
const fastMaxBody = 64 << 10

// fastMaxHosts bounds the HostClients kept (one per instance address).
const fastMaxHosts = 4096

// fastClients holds a HostClient per instance address and the backend
// connections they dialed, by local address, so a request can find the
// connection its answer arrives on.
type fastClients struct {
	connect time.Duration

	mu    sync.RWMutex
	hosts map[string]*fasthttp.HostClient

	connMu sync.Mutex
	conns  map[netip.AddrPort]*fastConn
}

func newFastClients(connect time.Duration) *fastClients {
	return &fastClients{connect: connect, hosts: map[string]*fasthttp.HostClient{}, conns: map[netip.AddrPort]*fastConn{}}
}

// fastEnabled reports whether the fast client may serve requests: it
// needs the wall clock (deadlines are for the kernel) and net/http's
// transports (a configured Transport is used for everything).
func (s *Server) fastEnabled() bool {
	if s.fast == nil || s.transports.override != nil {
		return false
	}
	_, mock := s.clock.(*clock.Mock)
	return !mock
}

// host returns the HostClient of addr, made on first use.
func (f *fastClients) host(addr string) *fasthttp.HostClient {
	f.mu.RLock()
	hc := f.hosts[addr]
	f.mu.RUnlock()
	if hc != nil {
		return hc
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if hc = f.hosts[addr]; hc != nil {
		return hc
	}
	if len(f.hosts) >= fastMaxHosts {
		for a, old := range f.hosts { // drop one; instances come and go
			old.CloseIdleConnections()
			delete(f.hosts, a)
			break
		}
	}
	hc = &fasthttp.HostClient{
		Addr:                          addr,
		Dial:                          f.dial,
		MaxConns:                      1 << 16,
		MaxIdleConnDuration:           10 * time.Second, // Waiter's pool idle timeout
		ReadBufferSize:                64 << 10,         // the largest response header accepted
		WriteBufferSize:               32 << 10,
		NoDefaultUserAgentHeader:      true,
		DisableHeaderNamesNormalizing: true,
		DisablePathNormalizing:        true,
		StreamResponseBody:            true,
	}
	f.hosts[addr] = hc
	return hc
}

// dial connects to an instance and remembers the connection.
func (f *fastClients) dial(addr string) (net.Conn, error) {
	c, err := (&net.Dialer{Timeout: f.connect, KeepAlive: 30 * time.Second}).Dial("tcp", addr)
	if err != nil {
		return nil, err
	}
	fc := &fastConn{Conn: c, owner: f, local: addrPort(c.LocalAddr())}
	f.connMu.Lock()
	f.conns[fc.local] = fc
	f.connMu.Unlock()
	return fc, nil
}

func (f *fastClients) lookup(local net.Addr) *fastConn {
	key := addrPort(local)
	f.connMu.Lock()
	defer f.connMu.Unlock()
	return f.conns[key]
}

// close drops idle connections (on shutdown).
func (f *fastClients) close() {
	f.mu.RLock()
	defer f.mu.RUnlock()
	for _, hc := range f.hosts {
		hc.CloseIdleConnections()
	}
}

func addrPort(a net.Addr) netip.AddrPort {
	if t, ok := a.(*net.TCPAddr); ok {
		return t.AddrPort()
	}
	return netip.AddrPort{}
}

// fastConn is a backend connection of the fast client.
type fastConn struct {
	net.Conn
	owner  *fastClients
	local  netip.AddrPort
	closed atomic.Bool
}

func (c *fastConn) Close() error {
	if c.closed.CompareAndSwap(false, true) {
		c.owner.connMu.Lock()
		if c.owner.conns[c.local] == c {
			delete(c.owner.conns, c.local)
		}
		c.owner.connMu.Unlock()
	}
	return c.Conn.Close()
}

// fastEligible reports whether out can take the fast client.
func (s *Server) fastEligible(r, out *http.Request, proto string) bool {
	if (proto != "http" && proto != "") || out.Trailer != nil || isGRPC(r) || isWebsocketUpgrade(r) || !s.fastEnabled() {
		return false
	}
	return out.Body == nil || (out.ContentLength > 0 && out.ContentLength <= fastMaxBody)
}

// roundTrip sends out to its instance, through the fast client when it
// can take it (see above), else through net/http's transport for proto.
func (s *Server) roundTrip(ctx context.Context, r, out *http.Request, proto string, socket time.Duration,
	cancel context.CancelCauseFunc) (*http.Response, error) {
	if !s.fastEligible(r, out, proto) {
		return s.transports.forProto(proto).RoundTrip(out)
	}
	if socket <= 0 {
		socket = 24 * time.Hour
	}
	// The real clock here (fastEnabled): the deadline is the kernel's.
	resp, err := s.fast.roundTrip(ctx, out, s.clock.Now().Add(socket))
	if errors.Is(err, fasthttp.ErrTimeout) {
		cancel(errBackendTimeout)
	}
	return resp, err
}

var fastBodyPool = sync.Pool{New: func() any { b := make([]byte, 0, 4<<10); return &b }}

// roundTrip is one exchange through the fast client. The answer's body
// must be closed; that returns the pooled objects.
func (f *fastClients) roundTrip(ctx context.Context, out *http.Request, deadline time.Time) (*http.Response, error) {
	req := fasthttp.AcquireRequest()
	resp := fasthttp.AcquireResponse()
	release := func() {
		fasthttp.ReleaseRequest(req)
		fasthttp.ReleaseResponse(resp)
	}
	req.Header.DisableNormalizing()
	req.Header.SetMethod(out.Method)
	req.UseHostHeader = true
	req.Header.SetHost(out.Host)
	req.Header.SetRequestURI(out.URL.RequestURI())
	req.URI().DisablePathNormalizing = true
	for k, vv := range out.Header {
		for _, v := range vv {
			req.Header.Add(k, v)
		}
	}
	if out.Body != nil {
		bp := fastBodyPool.Get().(*[]byte)
		b := *bp
		if n := int(out.ContentLength); cap(b) < n {
			b = make([]byte, n)
		} else {
			b = b[:n]
		}
		_, err := io.ReadFull(out.Body, b)
		if err == nil {
			req.SetBodyRaw(b)
		}
		*bp = b[:0]
		defer fastBodyPool.Put(bp)
		if err != nil {
			release()
			return nil, err
		}
	}
	resp.Header.SetNoDefaultContentType(true)
	resp.SkipBody = out.Method == http.MethodHead
	if err := f.host(out.URL.Host).DoDeadline(req, resp, deadline); err != nil {
		release()
		return nil, err
	}
	if err := ctx.Err(); err != nil {
		// Canceled while waiting (the client went away): the answer
		// is dropped like the transport would.
		_ = resp.CloseBodyStream()
		release()
		return nil, context.Cause(ctx)
	}
	body := &fastBody{resp: resp, release: release}
	if stream := resp.BodyStream(); stream != nil {
		body.stream = stream
		if c := f.lookup(resp.LocalAddr()); c != nil {
			// The round trip's deadline covered the wait for the answer;
			// the body is bounded by the streaming timeout (s.stream's
			// watchdog cancels ctx) and by the client staying.
			_ = c.SetReadDeadline(time.Time{})
			body.stop = context.AfterFunc(ctx, func() { _ = c.SetReadDeadline(time.Unix(1, 0)) })
		}
	} else {
		body.bytes = resp.Body()
	}
	hr := &http.Response{
		Status:        strconv.Itoa(resp.StatusCode()),
		StatusCode:    resp.StatusCode(),
		Proto:         "HTTP/1.1",
		ProtoMajor:    1,
		ProtoMinor:    1,
		Header:        make(http.Header, resp.Header.Len()),
		ContentLength: int64(resp.Header.ContentLength()),
		Body:          body,
		Request:       out,
	}
	if hr.ContentLength < 0 {
		hr.ContentLength = -1
	}
	for k, v := range resp.Header.All() {
		name := string(k)
		if http.CanonicalHeaderKey(name) == "Content-Length" {
			continue
		}
		hr.Header.Add(name, string(v))
	}
	if hr.ContentLength >= 0 && !resp.SkipBody {
		hr.Header.Set("Content-Length", strconv.FormatInt(hr.ContentLength, 10))
	} else if cl := resp.Header.ContentLength(); resp.SkipBody && cl >= 0 {
		hr.Header.Set("Content-Length", strconv.Itoa(cl))
	}
	if len(resp.Header.PeekTrailerKeys()) > 0 {
		hr.Trailer = http.Header{} // declared: known before the body, like the transport's
	}
	body.hr = hr
	return hr, nil
}

// fastBody is the answer's body from the fast client.
type fastBody struct {
	resp    *fasthttp.Response
	release func()
	stream  io.Reader
	bytes   []byte
	stop    func() bool
	hr      *http.Response // its Trailer is filled at the end of a chunked body
	done    bool
}

func (b *fastBody) Read(p []byte) (int, error) {
	if b.done {
		return 0, io.EOF
	}
	if b.stream == nil {
		n := copy(p, b.bytes)
		b.bytes = b.bytes[n:]
		if len(b.bytes) == 0 {
			b.done = true
			return n, io.EOF
		}
		return n, nil
	}
	n, err := b.stream.Read(p)
	if errors.Is(err, io.EOF) {
		b.done = true
		// Trailers, declared or not, as received.
		for _, k := range b.resp.Header.PeekTrailerKeys() {
			name := string(k)
			for _, v := range b.resp.Header.PeekAllTrailer(name) {
				if b.hr.Trailer == nil {
					b.hr.Trailer = http.Header{}
				}
				b.hr.Trailer.Add(name, string(v))
			}
		}
	}
	return n, err
}

func (b *fastBody) Close() error {
	if b.release == nil {
		return nil
	}
	if b.stop != nil {
		b.stop()
	}
	_ = b.resp.CloseBodyStream()
	b.release()
	b.release = nil
	return nil
}
