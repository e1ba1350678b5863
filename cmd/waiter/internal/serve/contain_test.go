package serve

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"

	"github.com/waiter-go/waiter/cmd/waiter/internal/config"
	"github.com/waiter-go/waiter/cmd/waiter/internal/fakesched"
	"github.com/waiter-go/waiter/engine"
)

// A panic of the router's own while it serves a request must end that
// request's connection only, on either front, and give its slot back:
// a loop holds thousands of connections, and a slot kept for good is a
// service's capacity lost. The test makes the router's code panic where
// it holds the instance, through the router's log handler panicking on
// one message (any handler the router is given runs on the request's
// path). On the event loops, each of the three ways a loop comes to
// serve a client: an event of the instance's connection (its answer
// breaks: "backend response broke while streaming"), a deadline (the
// socket timeout: "request failed" with the 504), the mailbox (a dial the
// instance refuses: "request failed" with the 502).

// panickyLog is a slog handler that panics once on the message armed
// (then disarms), and keeps the messages of the other records.
type panickyLog struct {
	armed *atomic.Pointer[string]
	mu    *sync.Mutex
	seen  *[]string
}

func (h panickyLog) Enabled(context.Context, slog.Level) bool { return true }
func (h panickyLog) Handle(_ context.Context, r slog.Record) error {
	if msg := h.armed.Load(); msg != nil && *msg == r.Message && h.armed.CompareAndSwap(msg, nil) {
		panic("a log handler that fails on: " + r.Message)
	}
	h.mu.Lock()
	*h.seen = append(*h.seen, r.Message)
	h.mu.Unlock()
	return nil
}
func (h panickyLog) WithAttrs([]slog.Attr) slog.Handler { return h }
func (h panickyLog) WithGroup(string) slog.Handler      { return h }

func TestPanicServingARequestEndsOnlyItsConnection(t *testing.T) {
	type panicCase struct {
		name, panicOn string
		headers       string // the failing request's extra header lines
		crash         bool   // the instance crashes after the warm-up
	}
	cases := []panicCase{
		{name: "answer breaks", panicOn: "backend response broke while streaming",
			headers: "x-kitchen-response-size: 100000\r\nx-kitchen-fail-after: 5000\r\n"},
		{name: "socket timeout", panicOn: "request failed",
			headers: "x-waiter-timeout: 100\r\nx-kitchen-delay-ms: 10000\r\n"},
		{name: "instance refuses", panicOn: "request failed", crash: true},
	}
	for _, fc := range []struct {
		name  string
		loops bool
	}{{"event loops", true}, {"goroutine front", false}} {
		t.Run(fc.name, func(t *testing.T) {
			var mu sync.Mutex
			var logged []string
			var armed atomic.Pointer[string]
			logger := slog.New(panickyLog{armed: &armed, mu: &mu, seen: &logged})
			built := make(chan *front, 1)
			onFront = func(f *front) { built <- f }
			t.Cleanup(func() { onFront = nil })
			rt := startRouterWith(t, nil, nil, logger, func(c *config.Config) {
				c.EventLoop, c.EventLoops = fc.loops, 1 // one loop: the bystander shares it
			})
			host := strings.TrimPrefix(rt.url, "http://")
			get := func(rc *rawConn, name, path, extra string) (int, string) {
				t.Helper()
				rc.send("GET " + path + " HTTP/1.1\r\nHost: h\r\n" + headerLines(containService(name)) + extra + "\r\n")
				status, body, _ := rc.answer("GET")
				return status, body
			}
			// A service's first request stores it and starts its
			// instance (the loops hand it to the goroutine front); the
			// bystander's keep-alive connection is then served on the
			// loop, when there is one.
			if status, _ := get(dialRaw(t, host), "bystander", "/", ""); status != 200 {
				t.Fatalf("starting the bystander's service: %d", status)
			}
			bystander := dialRaw(t, host)
			if status, _ := get(bystander, "bystander", "/", ""); status != 200 {
				t.Fatalf("the bystander's first request: %d", status)
			}
			fr := <-built
			if fc.loops && (fr.loops == nil || fr.loops.Served() == 0) {
				t.Fatal("the event loop served nothing: the test would not be about it")
			}
			for i, pc := range cases {
				name := "contain" + strings.ReplaceAll(pc.name, " ", "")
				if status, _ := get(dialRaw(t, host), name, "/", ""); status != 200 {
					t.Fatalf("%s: starting the service: %d", pc.name, status)
				}
				id := rt.serviceID(t, containService(name))
				if pc.crash {
					rt.sched.Crash(rt.sched.Instances(id)[0].ID)
				}
				armed.Store(&pc.panicOn)
				failing := dialRaw(t, host)
				failing.send("GET / HTTP/1.1\r\nHost: h\r\n" + headerLines(containService(name)) + pc.headers + "\r\n")
				if resp, err := http.ReadResponse(failing.br, nil); err == nil {
					if body, err := io.ReadAll(resp.Body); err == nil && resp.StatusCode == 200 {
						t.Errorf("%s: the failed request came as a whole answer: %d %q", pc.name, resp.StatusCode, body)
					}
				}
				if armed.Load() != nil {
					t.Fatalf("%s: the router never logged %q: the test proves nothing", pc.name, pc.panicOn)
				}
				// The router goes on: the bystander's connection is
				// served again, and the service holds no request (a kept
				// slot would hold one for good).
				if status, body := get(bystander, "bystander", "/", ""); status != 200 {
					t.Fatalf("%s: the bystander after the panic: %d %q", pc.name, status, body)
				}
				if state := rt.waitReleased(t, id); state != "" {
					t.Fatalf("%s: the service still holds a request after the panic: %s", pc.name, state)
				}
				if !pc.crash {
					// Its one slot is free: within its 3 s queue timeout.
					if status, body := get(dialRaw(t, host), name, "/", ""); status != 200 {
						t.Fatalf("%s: the service after the panic: %d %q", pc.name, status, body)
					}
				}
				if fc.loops {
					if n := fr.loops.Contained(); n != int64(i+1) {
						t.Errorf("%s: the loops contained %d panics, want %d", pc.name, n, i+1)
					}
				}
				if n := rt.panicsCounted(t); n != float64(i+1) {
					t.Errorf("%s: waiter_router_panics_total %v, want %d", pc.name, n, i+1)
				}
			}
			if fc.loops {
				mu.Lock()
				defer mu.Unlock()
				n := 0
				for _, m := range logged {
					if strings.HasPrefix(m, "loopfront: panic serving a request") {
						n++
					}
				}
				// The router's log throttle (internal/logthrottle) lets a
				// message through once per window: the first at least.
				if n == 0 {
					t.Errorf("no contained panic was logged: %q", logged)
				}
			}
		})
	}
}

// containService is a service of one slot: one instance at most, one
// request at a time, a 3 s queue timeout.
func containService(name string) []string {
	return service(name, "x-waiter-concurrency-level", "1", "x-waiter-max-instances", "1", "x-waiter-queue-timeout", "3000")
}

// panicsCounted is the router's waiter_router_panics_total.
func (r *testRouter) panicsCounted(t *testing.T) float64 {
	t.Helper()
	resp := r.call(t, "GET", "/metrics", nil)
	defer resp.Body.Close()
	parser := expfmt.NewTextParser(model.UTF8Validation)
	families, err := parser.TextToMetricFamilies(resp.Body)
	if err != nil {
		t.Fatalf("/metrics does not parse: %v", err)
	}
	return value(t, families, "waiter_router_panics_total", nil)
}

// observePanics is the fake scheduler whose first Observe panics, as an
// adapter's bug on an odd answer would.
type observePanics struct {
	*fakesched.Scheduler
	fired atomic.Bool
}

func (o *observePanics) Observe(ctx context.Context) (map[string]engine.Observation, error) {
	if o.fired.CompareAndSwap(false, true) {
		panic("adapter bug in observe")
	}
	return o.Scheduler.Observe(ctx)
}

// A scheduler call that panics fails that call only (the driver's
// guardedCall): the router stays up, a later poll sees the service's
// instance, and the panic is counted on /metrics.
func TestSchedulerPanicIsCountedAndServed(t *testing.T) {
	var sched *observePanics
	r := startRouterWrapped(t, nil, func(s *fakesched.Scheduler) engine.Scheduler {
		sched = &observePanics{Scheduler: s}
		return sched
	})
	resp := r.call(t, "GET", "/req", nil, service("panicky-observe")...)
	if status, body := read(t, resp); status != http.StatusOK {
		t.Fatalf("after the poll panicked: %d %s", status, briefBody(body))
	}
	if !sched.fired.Load() {
		t.Fatal("no poll panicked")
	}
	if n := r.panicsCounted(t); n != 1 {
		t.Errorf("waiter_router_panics_total %v, want 1", n)
	}
}
