package waiterhttp

import (
	"net"
	"net/http"
	"strconv"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/benbjohnson/clock"
	"github.com/valyala/fasthttp"
	"github.com/waiter-go/waiter"
)

// benchWriter is a reusable ResponseWriter: the benchmark measures the
// handler, not a recorder's allocations.
type benchWriter struct {
	h    http.Header
	code int
	n    int
}

func (w *benchWriter) Header() http.Header { return w.h }
func (w *benchWriter) WriteHeader(c int)   { w.code = c }
func (w *benchWriter) Write(p []byte) (int, error) {
	if w.code == 0 {
		w.code = 200
	}
	w.n += len(p)
	return len(p), nil
}

// EnableFullDuplex and SetReadDeadline are supported, as by the router's
// fronts (internal/h1serve and net/http's server).
func (w *benchWriter) EnableFullDuplex() error         { return nil }
func (w *benchWriter) SetReadDeadline(time.Time) error { return nil }

func (w *benchWriter) reset() {
	clear(w.h)
	w.code, w.n = 0, 0
}

// benchBackend is a keep-alive fasthttp backend answering every request
// with a short body; it returns its host and port.
func benchBackend(b *testing.B) (string, int) {
	return fasthttpBackend(b, func(ctx *fasthttp.RequestCtx) {
		ctx.Response.Header.Set("Content-Type", "text/plain")
		ctx.SetBodyString("hello world")
	})
}

// fasthttpBackend serves h on a loopback port until the test ends; it
// returns its host and port.
func fasthttpBackend(tb testing.TB, h fasthttp.RequestHandler) (string, int) {
	tb.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	srv := &fasthttp.Server{Handler: h}
	go func() { _ = srv.Serve(ln) }()
	tb.Cleanup(func() { _ = srv.Shutdown() })
	host, portStr, _ := net.SplitHostPort(ln.Addr().String())
	port, _ := strconv.Atoi(portStr)
	return host, port
}

// BenchmarkProxyToken is the whole handler on a plain GET naming its
// service by x-waiter-token, against a live keep-alive backend, with the
// real clock (so the fast backend client is used). The baseline, in the
// same run, is a bare fasthttp proxy of the same request through the same
// ResponseWriter: the difference is Waiter's own cost per request.
func BenchmarkProxyToken(b *testing.B) {
	host, port := benchBackend(b)
	req := func() *http.Request {
		r, _ := http.NewRequest(http.MethodGet, "http://127.0.0.1:9091/bench?x=1", nil)
		r.Host = "127.0.0.1:9091"
		r.RequestURI = "/bench?x=1"
		r.Header.Set("x-waiter-token", "kit")
		r.Header.Set("User-Agent", "wrk")
		r.Header.Set("Accept", "*/*")
		return r
	}

	b.Run("bare-fasthttp", func(b *testing.B) {
		hc := &fasthttp.HostClient{Addr: net.JoinHostPort(host, strconv.Itoa(port))}
		h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			fr, fw := fasthttp.AcquireRequest(), fasthttp.AcquireResponse()
			defer fasthttp.ReleaseRequest(fr)
			defer fasthttp.ReleaseResponse(fw)
			fr.Header.SetMethod(r.Method)
			fr.SetRequestURI(r.RequestURI)
			fr.Header.SetHost(r.Host)
			for k, vv := range r.Header {
				for _, v := range vv {
					fr.Header.Add(k, v)
				}
			}
			if err := hc.Do(fr, fw); err != nil {
				w.WriteHeader(http.StatusBadGateway)
				return
			}
			for k, v := range fw.Header.All() {
				w.Header().Add(string(k), string(v))
			}
			w.WriteHeader(fw.StatusCode())
			_, _ = w.Write(fw.Body())
		})
		runProxyBench(b, h, req())
	})

	// waiter is the handler as net/http's server calls it; waiter-conn as
	// the fast front (internal/h1serve) does, whose requests carry the
	// context ConnContext made for their connection.
	for _, conn := range []bool{false, true} {
		name := "waiter"
		if conn {
			name = "waiter-conn"
		}
		b.Run(name, func(b *testing.B) { benchProxyWaiter(b, host, port, req(), conn) })
	}
}

func benchProxyWaiter(b *testing.B, host string, port int, r *http.Request, conn bool) {
	srv, router := kitProxy(b, host, port)
	var h http.Handler = srv
	if conn {
		ctx := srv.ConnContext(r.Context())
		r = r.WithContext(ctx)
		h = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			srv.ServeHTTP(w, r)
			srv.RequestDone(ctx) // as internal/h1serve does once the response is written
		})
	}
	// fakeRouter records every admission and release; keep them from
	// growing in the benchmark.
	runProxyBench(b, h, r, func() {
		router.mu.Lock()
		router.admitted, router.released = router.admitted[:0], router.released[:0]
		router.mu.Unlock()
	})
}

// kitProxy is a Server with the real clock (so the fast backend client is
// used) and token "kit", whose requests its fake router grants to the
// instance at host:port.
func kitProxy(tb testing.TB, host string, port int) (*Server, *fakeRouter) {
	tb.Helper()
	store, router := newMemStore(), newFakeRouter()
	clk := clock.New()
	srv, err := New(Config{RouterID: "r1", Hostnames: []string{"waiter.example"}},
		Deps{Router: router, Store: store, Authn: headerUser{}, Entitled: NewSimple(testUser), Clock: clk})
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(srv.Close)
	if _, _, err := store.PutToken("kit", map[string]any{"cmd": "kitchen", "cpus": 0.1, "mem": 64.0, "version": "v1"},
		"", testUser, clk.Now()); err != nil {
		tb.Fatal(err)
	}
	// The instance id is made once per service id: the allocation tests
	// count the router's allocations, not the fake's.
	var instance atomic.Pointer[[2]string] // service id, instance id
	router.admit = func(a waiter.Admission) (waiter.Grant, error) {
		id := a.Description.ID
		in := instance.Load()
		if in == nil || in[0] != id {
			in = &[2]string{id, id + ".1"}
			instance.Store(in)
		}
		return waiter.Grant{Request: 1, Service: id, Instance: in[1], Host: host, Port: port}, nil
	}
	return srv, router
}

func runProxyBench(b *testing.B, h http.Handler, r *http.Request, each ...func()) {
	w := &benchWriter{h: http.Header{}}
	h.ServeHTTP(w, r)
	if w.code != http.StatusOK || w.n != len("hello world") {
		b.Fatalf("status %d, %d bytes", w.code, w.n)
	}
	b.ReportAllocs()
	b.ResetTimer()
	cpu0 := cpuTime()
	for i := 0; i < b.N; i++ {
		w.reset()
		h.ServeHTTP(w, r)
		for _, f := range each {
			if i%1024 == 0 {
				f()
			}
		}
	}
	// The process's CPU (this handler, the backend and the runtime) per
	// request: the figure wall time hides when the machine is shared.
	b.ReportMetric(float64(cpuTime()-cpu0)/float64(b.N), "cpu-ns/op")
	if w.code != http.StatusOK {
		b.Fatalf("status %d", w.code)
	}
}

func cpuTime() time.Duration {
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// BenchmarkProxyHeaders is BenchmarkProxyToken's waiter case with the
// service described on the fly, in x-waiter-* headers on every request
// (proxybench's "headers" target).
func BenchmarkProxyHeaders(b *testing.B) {
	host, port := benchBackend(b)
	r, _ := http.NewRequest(http.MethodGet, "http://127.0.0.1:9091/bench?x=1", nil)
	r.Host = "127.0.0.1:9091"
	r.RequestURI = "/bench?x=1"
	for k, v := range map[string]string{"x-waiter-cmd": "kitchen -p $PORT0", "x-waiter-cmd-type": "shell",
		"x-waiter-cpus": "1", "x-waiter-mem": "256", "x-waiter-version": "v1", "x-waiter-name": "bench",
		"x-waiter-concurrency-level": "128", "x-waiter-min-instances": "1", "x-waiter-max-instances": "1",
		"User-Agent": "wrk", "Accept": "*/*"} {
		r.Header.Set(k, v)
	}
	store, router := newMemStore(), newFakeRouter()
	srv, err := New(Config{RouterID: "r1", Hostnames: []string{"waiter.example"}},
		Deps{Router: router, Store: store, Authn: headerUser{}, Entitled: NewSimple(testUser), Clock: clock.New()})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(srv.Close)
	router.admit = func(a waiter.Admission) (waiter.Grant, error) {
		return waiter.Grant{Request: 1, Service: a.Description.ID, Instance: a.Description.ID + ".1", Host: host, Port: port}, nil
	}
	runProxyBench(b, srv, r, func() {
		router.mu.Lock()
		router.admitted, router.released = router.admitted[:0], router.released[:0]
		router.mu.Unlock()
	})
}
