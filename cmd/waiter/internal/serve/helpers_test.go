package serve

import (
	"context"
	"crypto/x509"
	"encoding/json"
	"fmt"
	"github.com/waiter-go/waiter/internal/warmconn"
	"io"
	"log/slog"
	"net"
	"net/http"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/benbjohnson/clock"
	"github.com/waiter-go/waiter/adapters/bolt"
	"github.com/waiter-go/waiter/cmd/waiter/internal/config"
	"github.com/waiter-go/waiter/cmd/waiter/internal/fakesched"
	"github.com/waiter-go/waiter/engine"
	"github.com/waiter-go/waiter/internal/e2ekit"
	"github.com/waiter-go/waiter/internal/freeport"
)

// testRouter is `waiter serve` wired by Run itself, with a fake scheduler
// whose instances are real HTTP servers, a real bbolt store in a temp
// folder, and a listener on a free loopback port.
type testRouter struct {
	url    string
	sched  *fakesched.Scheduler
	ops    chan string
	client *http.Client
	stop   func() error
	dir    string
	// warm is the router's pool of health checks' connections: a test
	// puts one in it as the shell scheduler would.
	warm *warmconn.Pool
}

func startRouter(t *testing.T, backend http.Handler, mutate ...func(*config.Config)) *testRouter {
	t.Helper()
	return startRouterWrapped(t, backend, nil, mutate...)
}

// startRouterWrapped is startRouter with the fake scheduler wrapped by
// wrap (nil: used as is), for tests that change what it reports.
func startRouterWrapped(t *testing.T, backend http.Handler, wrap func(*fakesched.Scheduler) engine.Scheduler,
	mutate ...func(*config.Config)) *testRouter {
	t.Helper()
	return startRouterWith(t, backend, wrap, slog.New(slog.DiscardHandler), mutate...)
}

// startRouterWith is startRouterWrapped with the router's logger.
func startRouterWith(t *testing.T, backend http.Handler, wrap func(*fakesched.Scheduler) engine.Scheduler,
	logger *slog.Logger, mutate ...func(*config.Config)) *testRouter {
	t.Helper()
	return startRouterOpts(t, backend, wrap, func(o *Options) { o.Logger = logger }, mutate...)
}

// startRouterOpts is startRouterWrapped with Run's options changed by
// opt (after the test's own are set).
func startRouterOpts(t *testing.T, backend http.Handler, wrap func(*fakesched.Scheduler) engine.Scheduler,
	opt func(*Options), mutate ...func(*config.Config)) *testRouter {
	t.Helper()
	if backend == nil {
		backend = fakesched.Backend()
	}
	cfg := config.Default()
	cfg.DataDir = t.TempDir()
	cfg.RouterID = "test-router"
	cfg.RunAsUser = "alice"
	cfg.Admins = []string{"alice"} // the one user administers its router, as with no configuration
	cfg.Hostnames = []string{"router.test"}
	cfg.PollInterval = time.Hour // polls come from creates and waiting requests
	cfg.FastPollInterval = 20 * time.Millisecond
	cfg.DrainTimeout = 5 * time.Second
	for _, m := range mutate {
		m(&cfg)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	r := &testRouter{url: "http://" + ln.Addr().String(), ops: make(chan string, 1024), dir: cfg.DataDir, warm: warmconn.New(time.Minute),
		sched:  fakesched.New(func(*engine.Description) http.Handler { return backend }),
		client: &http.Client{Transport: &http.Transport{DisableCompression: true}}}
	r.sched.Notify = func(op, id string) {
		select {
		case r.ops <- op + " " + id:
		default:
		}
	}
	var sched engine.Scheduler = r.sched
	if wrap != nil {
		sched = wrap(r.sched)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	opts := Options{Config: cfg, Clock: clock.New(), Scheduler: sched, Listener: ln, WarmConns: r.warm}
	opt(&opts)
	go func() { done <- Run(ctx, opts) }()
	stopped := false
	var runErr error
	r.stop = func() error {
		if !stopped {
			stopped = true
			cancel()
			runErr = <-done
			r.client.CloseIdleConnections()
		}
		return runErr
	}
	t.Cleanup(func() {
		if err := r.stop(); err != nil {
			t.Errorf("Run: %v", err)
		}
		r.warm.Close()
		if left := r.sched.Services(); len(left) != 0 {
			t.Errorf("instances left running after shutdown: %v", left)
		}
		// The store was closed: it opens again at once.
		db, err := bolt.Open(filepath.Join(cfg.DataDir, StoreFile), bolt.WithLockTimeout(100*time.Millisecond))
		if err != nil {
			t.Errorf("store not released: %v", err)
		} else {
			_ = db.Close()
		}
	})
	return r
}

// setHeaders sets headers, alternating names and values, on req.
func setHeaders(req *http.Request, headers []string) {
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
}

// call makes a request; headers are alternating names and values.
func (r *testRouter) call(t *testing.T, method, path string, body io.Reader, headers ...string) *http.Response {
	t.Helper()
	return r.callCtx(t, context.Background(), method, path, body, headers...)
}

func (r *testRouter) callCtx(t *testing.T, ctx context.Context, method, path string, body io.Reader, headers ...string) *http.Response {
	t.Helper()
	req, err := http.NewRequestWithContext(ctx, method, r.url+path, body)
	if err != nil {
		t.Fatal(err)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json") // as Waiter's clients send bodies; headers may override
	}
	for i := 0; i+1 < len(headers); i += 2 {
		if strings.EqualFold(headers[i], "host") {
			req.Host = headers[i+1]
			continue
		}
		req.Header.Set(headers[i], headers[i+1])
	}
	resp, err := r.client.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	return resp
}

// read returns the status and body of a response.
func read(t *testing.T, resp *http.Response) (int, string) {
	t.Helper()
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("reading the body: %v", err)
	}
	return resp.StatusCode, string(b)
}

func (r *testRouter) waitOp(t *testing.T, op, id string) {
	t.Helper()
	want := op + " " + id
	timeout := time.After(10 * time.Second)
	for {
		select {
		case got := <-r.ops:
			if got == want {
				return
			}
		case <-timeout:
			t.Fatalf("no scheduler call %q", want)
		}
	}
}

// service returns on-the-fly headers for a kitchen-like service; name
// keeps tests' services apart.
func service(name string, extra ...string) []string {
	return append([]string{
		"x-waiter-name", name, "x-waiter-cmd", "kitchen -p $PORT0", "x-waiter-cpus", "0.1",
		"x-waiter-mem", "64", "x-waiter-version", "v1",
	}, extra...)
}

// h2cTransport speaks HTTP/2 without TLS (prior knowledge) to the
// router's cleartext port.
func h2cTransport() *http.Transport {
	p := new(http.Protocols)
	p.SetUnencryptedHTTP2(true)
	return &http.Transport{Protocols: p}
}

// h2cClient is a client on its own h2cTransport, its connections closed
// at the test's end.
func h2cClient(t *testing.T) *http.Client {
	c := &http.Client{Transport: h2cTransport()}
	t.Cleanup(c.CloseIdleConnections)
	return c
}

// briefBody is body with its long runs of letters cut.
func briefBody(body string) string {
	return longRun.ReplaceAllStringFunc(body, func(run string) string { return fmt.Sprintf("%s…(%d)", run[:8], len(run)) })
}

var longRun = regexp.MustCompile(`[a-z]{41,}`)

// kitchenFields are service(name)'s headers as the header lines of a
// raw request.
func kitchenFields(name string) string { return headerLines(service(name)) }

// headerLines are name-value pairs (alternating, as setHeaders takes
// them) as a raw request's header lines, each ending in CRLF.
func headerLines(kv []string) string {
	var b strings.Builder
	for i := 0; i+1 < len(kv); i += 2 {
		b.WriteString(kv[i] + ": " + kv[i+1] + "\r\n")
	}
	return b.String()
}

// serviceID asks the router for the id of a service.
func (r *testRouter) serviceID(t *testing.T, headers []string) string {
	t.Helper()
	status, body := read(t, r.call(t, "GET", "/service-id", nil, headers...))
	if status != 200 {
		t.Fatalf("/service-id: %d %s", status, body)
	}
	return body
}

func decode(t *testing.T, body string) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal([]byte(body), &m); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, body)
	}
	return m
}

func wantBody(t *testing.T, status int, body string, wantStatus int, wantParts ...string) {
	t.Helper()
	if status != wantStatus {
		t.Fatalf("status %d, want %d; body:\n%s", status, wantStatus, body)
	}
	for _, p := range wantParts {
		if !strings.Contains(body, p) {
			t.Errorf("body lacks %q:\n%s", p, body)
		}
	}
}

// tlsListener is a TLS listener for a test's router, on a free loopback
// port, with a certificate for 127.0.0.1 made for the test: the
// configuration change that adds it, its address, and the roots that
// trust its certificate.
func tlsListener(t *testing.T) (func(*config.Config), string, *x509.CertPool) {
	t.Helper()
	certFile, keyFile, roots, err := e2ekit.WriteTLSCert(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	ports, err := freeport.TCP(1)
	if err != nil {
		t.Fatal(err)
	}
	withTLS := func(c *config.Config) { c.TLS = config.TLS{CertFile: certFile, KeyFile: keyFile, Port: ports[0]} }
	return withTLS, net.JoinHostPort("127.0.0.1", strconv.Itoa(ports[0])), roots
}

// awaitAccepts waits (up to 10 s) until a listener at addr accepts: a
// router's TLS listener starts beside its plain one, not before Run
// answers on it.
func awaitAccepts(t *testing.T, addr string) {
	t.Helper()
	e2ekit.Eventually(t, 10*time.Second, "the listener at "+addr+" accepts", func() (bool, string) {
		c, err := net.Dial("tcp", addr)
		if err != nil {
			return false, err.Error()
		}
		_ = c.Close()
		return true, ""
	})
}
