package healthcheck

import (
	"bufio"
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/waiter-go/waiter/engine"
)

func TestCheck(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("x-waiter-request-type") != "health-check" {
			w.WriteHeader(400)
			return
		}
		switch r.URL.Path {
		case "/ok":
		case "/auth":
			w.WriteHeader(401)
		case "/slow":
			time.Sleep(time.Second)
		}
	}))
	defer srv.Close()
	p := New(200*time.Millisecond, "test")
	defer p.Close()
	both := engine.FlagHasConnected | engine.FlagHasResponded
	if r := p.Check(context.Background(), srv.URL+"/ok"); !r.Healthy() || r.Status != 200 || r.Flags != both {
		t.Errorf("ok: %+v", r)
	}
	if r := p.Check(context.Background(), srv.URL+"/auth"); r.Healthy() || r.Status != 401 || r.Flags != both {
		t.Errorf("401: %+v", r)
	}
	if r := p.Check(context.Background(), srv.URL+"/slow"); r.Healthy() ||
		r.Flags != engine.FlagHasConnected|engine.FlagTimeoutException {
		t.Errorf("slow: %+v", r)
	}
	ln, _ := net.Listen("tcp", "127.0.0.1:0")
	addr := ln.Addr().String()
	ln.Close() // nobody listens there now
	if r := p.Check(context.Background(), "http://"+addr+"/"); r.Healthy() || r.Flags&engine.FlagHasConnected != 0 {
		t.Errorf("refused: %+v", r)
	}
}

// TestCheckReadsLongHeaders: an instance's answer with header lines far
// longer than the prober's read buffer is still read and classified.
func TestCheckReadsLongHeaders(t *testing.T) {
	long := strings.Repeat("x", 8*probeReadBuffer)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("X-Long", long)
		w.Header().Set("X-Long-Too", long)
		_, _ = w.Write([]byte(long))
	}))
	defer srv.Close()
	p := New(5*time.Second, "test")
	defer p.Close()
	if r := p.Check(context.Background(), srv.URL); !r.Healthy() || r.Status != 200 {
		t.Errorf("long headers: %+v", r)
	}
}

// BenchmarkCheck is one probe of a local instance: its bytes allocated
// and its time, against a prober with net/http's default buffers (4 KB
// each way) in the same run.
func BenchmarkCheck(b *testing.B) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	defer srv.Close()
	measure := func(p *Prober) (ns, bytes float64) {
		defer p.Close()
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		start := time.Now()
		for i := 0; i < b.N; i++ {
			if r := p.Check(context.Background(), srv.URL); !r.Healthy() {
				b.Fatalf("probe: %+v", r)
			}
		}
		elapsed := time.Since(start)
		runtime.ReadMemStats(&after)
		return float64(elapsed.Nanoseconds()) / float64(b.N), float64(after.TotalAlloc-before.TotalAlloc) / float64(b.N)
	}
	b.ResetTimer()
	ns, bytes := measure(New(5*time.Second, "bench"))
	baseNs, baseBytes := measure(newProber(5*time.Second, "bench", 0, 0))
	b.ReportMetric(ns, "ns/probe")
	b.ReportMetric(bytes, "B/probe")
	b.ReportMetric(baseBytes, "default-buffers-B/probe")
	b.ReportMetric(bytes/baseBytes, "x-default-buffers-bytes")
	b.ReportMetric(ns/baseNs, "x-default-buffers-time")
}

// CheckOver sends the check over the connection it is given and counts
// it as connected even when nothing answers. The connection comes back
// open, ready for another request, only after a healthy plain-HTTP answer
// read whole that does not close it; in every other case it is closed.
func TestCheckOverUsesTheGivenConnection(t *testing.T) {
	var conns atomic.Int32
	var remote atomic.Value
	handler := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		remote.Store(r.RemoteAddr)
		switch r.URL.Path {
		case "/slow":
			<-r.Context().Done() // until the check gives up and closes
		case "/auth":
			w.WriteHeader(401)
		case "/closing":
			w.Header().Set("Connection", "close")
		case "/large":
			_, _ = w.Write(make([]byte, 2*maxBody))
		case "/redirect":
			http.Redirect(w, r, "/ok", http.StatusFound)
		}
	})
	srv := httptest.NewUnstartedServer(handler)
	srv.Config.ConnState = func(_ net.Conn, st http.ConnState) {
		if st == http.StateNew {
			conns.Add(1)
		}
	}
	srv.Start()
	defer srv.Close()
	p := New(200*time.Millisecond, "test")
	defer p.Close()
	dial := func(addr string) net.Conn {
		c, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	closed := func(c net.Conn) bool {
		_, err := c.Read(make([]byte, 1))
		return errors.Is(err, net.ErrClosed)
	}
	both := engine.FlagHasConnected | engine.FlagHasResponded

	c := dial(srv.Listener.Addr().String())
	r, kept := p.CheckOver(context.Background(), srv.URL+"/ok", c)
	if !r.Healthy() || r.Flags != both {
		t.Errorf("ok: %+v", r)
	}
	if got, want := remote.Load(), c.LocalAddr().String(); got != want {
		t.Errorf("the check came from %v, want the given connection %s", got, want)
	}
	if kept != c {
		t.Fatalf("a healthy answer gave back %v, want the connection open", kept)
	}
	// The connection carries the next request as it is.
	if _, err := io.WriteString(c, "GET /ok HTTP/1.1\r\nHost: x\r\n\r\n"); err != nil {
		t.Fatal(err)
	}
	if resp, err := http.ReadResponse(bufio.NewReader(c), nil); err != nil || resp.StatusCode != 200 {
		t.Errorf("a request on the kept connection: %v %v", resp, err)
	}
	_ = c.Close()
	if n := conns.Load(); n != 1 {
		t.Errorf("the instance saw %d connections, want the one given", n)
	}

	for _, tc := range []struct {
		path    string
		flags   engine.InstanceFlags
		healthy bool
	}{
		{"/auth", both, false},
		{"/closing", both, true},  // the instance closes it
		{"/large", both, true},    // the body was not read whole
		{"/redirect", both, true}, // followed on a new connection
		{"/slow", engine.FlagHasConnected | engine.FlagTimeoutException, false},
	} {
		c := dial(srv.Listener.Addr().String())
		r, kept := p.CheckOver(context.Background(), srv.URL+tc.path, c)
		if r.Flags != tc.flags || r.Healthy() != tc.healthy {
			t.Errorf("%s: %+v", tc.path, r)
		}
		if kept != nil || !closed(c) {
			t.Errorf("%s: the connection was kept (%v) or left open", tc.path, kept)
		}
	}

	tlsSrv := httptest.NewTLSServer(handler)
	defer tlsSrv.Close()
	c = dial(tlsSrv.Listener.Addr().String())
	if r, kept := p.CheckOver(context.Background(), tlsSrv.URL+"/ok", c); !r.Healthy() || kept != nil {
		t.Errorf("https: %+v, kept %v: want healthy, over TLS, not kept", r, kept)
	}
	if got, want := remote.Load(), c.LocalAddr().String(); got != want {
		t.Errorf("the https check came from %v, want the given connection %s", got, want)
	}

	c = dial(srv.Listener.Addr().String())
	if r, kept := p.CheckOver(context.Background(), "http://%zz/", c); r.Healthy() || r.Flags&engine.FlagHasResponded != 0 || kept != nil {
		t.Errorf("bad URL: %+v, kept %v", r, kept)
	}
	if !closed(c) {
		t.Error("a connection the check never used is still open")
	}
}

// A check over a given connection ends when its context does (the
// instance is stopping): the read in flight gives up at once, the
// connection is closed, and that is not a timeout of the instance's.
func TestCheckOverEndsWithItsContext(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		<-r.Context().Done() // never answers; gone when the check closes
	}))
	defer srv.Close()
	p := New(time.Hour, "test") // only the context can end this check
	defer p.Close()
	c, err := net.Dial("tcp", srv.Listener.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(20*time.Millisecond, cancel)
	r, kept := p.CheckOver(ctx, srv.URL+"/", c)
	if r.Healthy() || r.Flags != engine.FlagHasConnected || kept != nil {
		t.Errorf("canceled check: %+v, kept %v; want connected only, nothing kept", r, kept)
	}
	if _, err := c.Read(make([]byte, 1)); !errors.Is(err, net.ErrClosed) {
		t.Errorf("the connection of a canceled check is still open: %v", err)
	}
}

// An instance whose answer's head never ends is read only up to the
// transport's bound on a head: the check fails there, as a broken answer,
// and does not keep reading (and holding what it read) until it times out.
func TestCheckOverBoundsTheAnswersHead(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	served := make(chan struct{})
	go func() {
		defer close(served)
		c, err := ln.Accept()
		if err != nil {
			return
		}
		defer c.Close()
		_, _ = c.Read(make([]byte, 4096)) // the check's request
		line := []byte("X-Endless: " + strings.Repeat("a", 1000) + "\r\n")
		if _, err := io.WriteString(c, "HTTP/1.1 200 OK\r\n"); err != nil {
			return
		}
		for {
			if _, err := c.Write(line); err != nil {
				return // the check closed the connection
			}
		}
	}()
	p := New(time.Minute, "test")
	defer p.Close()
	c, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	r, kept := p.CheckOver(context.Background(), "http://"+ln.Addr().String()+"/", c)
	if r.Flags != engine.FlagHasConnected || kept != nil {
		t.Errorf("endless head: %+v, kept %v; want a broken answer (connected only), not a timeout", r, kept)
	}
	<-served
}
