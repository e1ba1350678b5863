package serve

import (
	"crypto/tls"
	"fmt"
	"io"
	"net/http"
	"os"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/coder/websocket"
	"pgregory.net/rapid"
)

// A client may go away at any point of its request: half-way through
// the head, while the request queues for the service's one slot, while
// an instance serves it, half-way through an upload or through the
// answer, during a websocket's upgrade or half-way through one of its
// frames, by closing or by resetting its connection, or on HTTP/2 by
// resetting one stream of many. Whichever, the router must give the
// slot back: a slot kept for a client that left is capacity lost for
// good (with one slot, the service would answer nothing more). And a
// client leaving is not the instance failing: it must not be ejected.

// abandonBackend is the instance: /hold sleeps ms milliseconds (or until
// the router gives up on it), /drip streams 64 chunks of 1 KiB 1 ms
// apart, /echo reads the whole body and answers its length, /ws echoes
// websocket messages.
func abandonBackend() http.Handler {
	chunk := strings.Repeat("d", 1024)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/hold":
			ms, _ := strconv.Atoi(r.URL.Query().Get("ms"))
			select {
			case <-time.After(time.Duration(ms) * time.Millisecond):
			case <-r.Context().Done():
				return
			}
			fmt.Fprintf(w, "held %d", ms)
		case "/drip":
			for range 64 {
				if _, err := io.WriteString(w, chunk); err != nil {
					return
				}
				w.(http.Flusher).Flush()
				select {
				case <-time.After(time.Millisecond):
				case <-r.Context().Done():
					return
				}
			}
		case "/echo":
			body, err := io.ReadAll(r.Body)
			if err != nil {
				return // the client left half-way
			}
			fmt.Fprintf(w, "read %d", len(body))
		case "/ws":
			c, err := websocket.Accept(w, r, nil)
			if err != nil {
				return
			}
			defer c.CloseNow()
			for {
				typ, msg, err := c.Read(r.Context())
				if err != nil || c.Write(r.Context(), typ, msg) != nil {
					return
				}
			}
		default:
			http.NotFound(w, r)
		}
	})
}

// abandonService is the service the test's clients call: one instance
// at most, one request at a time on it, so that every other request
// queues and a leaked slot shows at once.
func abandonService() []string {
	return service("abandon", "x-waiter-concurrency-level", "1", "x-waiter-max-instances", "1")
}

// waitReleased waits (up to 10 s) until service id holds no request:
// none outstanding, none in flight on its instances. It returns "", or
// the service's state when it never came to that.
func (r *testRouter) waitReleased(t *testing.T, id string) string {
	deadline := time.Now().Add(10 * time.Second)
	for {
		status, body := read(t, r.call(t, "GET", "/apps/"+id, nil))
		wantBody(t, status, body, 200)
		if state := decode(t, body); state["request-metrics"].(map[string]any)["outstanding"] == 0.0 && inFlight(state) == 0 {
			return ""
		}
		if time.Now().After(deadline) {
			return body
		}
		time.Sleep(2 * time.Millisecond) // polling the router's view, as in TestServiceState
	}
}

// inFlight is the requests in flight on the active instances of a
// service's state (GET /apps/{id}).
func inFlight(state map[string]any) float64 {
	n := 0.0
	for _, in := range state["instances"].(map[string]any)["active-instances"].([]any) {
		n += in.(map[string]any)["requests-in-flight"].(float64)
	}
	return n
}

// abandonFronts starts the two routers the clients call, each with the
// service started (its first request waits for its instance): one on
// the event loops, one on the goroutine front with a TLS listener
// beside its plain one. It returns the routers, the service's id on
// each, the three fronts (loops, goroutine, TLS) and which router each
// front is.
func abandonFronts(t *testing.T) (routers []*testRouter, ids []string, fronts []abandonFront, routerOf []int) {
	t.Helper()
	loopRt, loopFr := startFrontRouter(t, abandonBackend())
	if loopFr == nil || loopFr.loops == nil {
		t.Fatal("the router built no event loops")
	}
	// The goroutine router has a TLS listener beside its plain one: the
	// third front.
	withTLS, tlsAddr, roots := tlsListener(t)
	goRt, _ := startFrontRouter(t, abandonBackend(), goroutineFront, withTLS)
	routers = []*testRouter{loopRt, goRt}
	ids = make([]string, len(routers))
	for i, r := range routers {
		// Started before the clients come: the first request of a
		// service waits for its instance.
		status, body := read(t, r.call(t, "GET", "/hold?ms=0", nil, abandonService()...))
		wantBody(t, status, body, 200, "held 0")
		ids[i] = r.serviceID(t, abandonService())
		fronts = append(fronts, abandonFront{addr: strings.TrimPrefix(r.url, "http://"), url: r.url, h2: h2cClient(t)})
	}
	// The raw connections speak HTTP/1.1 and say so (ALPN); the HTTP/2
	// client's transport sets its own protocols on its own copy.
	tlsConf := &tls.Config{RootCAs: roots, ServerName: "127.0.0.1", MinVersion: tls.VersionTLS12, NextProtos: []string{"http/1.1"}}
	h2 := new(http.Protocols)
	h2.SetHTTP2(true)
	h2Conf := tlsConf.Clone()
	h2Conf.NextProtos = nil
	overTLS := &http.Client{Transport: &http.Transport{Protocols: h2, TLSClientConfig: h2Conf}}
	t.Cleanup(overTLS.CloseIdleConnections)
	fronts = append(fronts, abandonFront{addr: tlsAddr, tlsConf: tlsConf, url: "https://" + tlsAddr, h2: overTLS})
	awaitAccepts(t, tlsAddr)
	return routers, ids, fronts, []int{0, 1, 1}
}

// TestAbandonedRequestsGiveTheirSlotBack is a property test over the
// three fronts (abandonFronts): 1-5 clients call a service with one
// slot at once, each going away at a point of its own (drawAbandoner).
// Once all are gone, the router must hold no request of theirs (the
// service's outstanding count and its instances' requests in flight
// drop to 0), and the next request must be served at once by the same
// instance, neither queued behind a leaked slot nor sent to a new
// instance because the old one was ejected.
func TestAbandonedRequestsGiveTheirSlotBack(t *testing.T) {
	routers, ids, fronts, routerOf := abandonFronts(t)
	// instances names the service's instances by state: which are
	// active and healthy, which failed, which were killed. (Not their
	// requests in flight: an answer's last byte reaches its client
	// before the router's books record its end.)
	instances := func(i int) string {
		status, body := read(t, routers[i].call(t, "GET", "/apps/"+ids[i], nil))
		wantBody(t, status, body, 200)
		var out []string
		for state, list := range decode(t, body)["instances"].(map[string]any) {
			for _, in := range list.([]any) {
				in := in.(map[string]any)
				out = append(out, fmt.Sprintf("%s %v healthy=%v", state, in["id"], in["healthy?"]))
			}
		}
		slices.Sort(out)
		return strings.Join(out, "\n")
	}
	first := []string{instances(0), instances(1)}
	goroutines, fds := runtime.NumGoroutine(), openFDs(t)
	rapid.Check(t, func(rt *rapid.T) {
		f := rapid.IntRange(0, 2).Draw(rt, "front") // 0: the event loops, 1: the goroutine front, 2: TLS
		i := routerOf[f]
		r := routers[i]
		clientsN := rapid.IntRange(1, 5).Draw(rt, "clients")
		ways := make([]abandoner, clientsN)
		for j := range ways {
			ways[j] = drawAbandoner(rt, j)
		}
		problems := make([]string, clientsN)
		var wg sync.WaitGroup
		for j, a := range ways {
			wg.Go(func() {
				if strings.HasPrefix(a.way, "h2") {
					problems[j] = a.runH2(fronts[f].h2, fronts[f].url)
				} else {
					problems[j] = a.runH1(fronts[f])
				}
			})
		}
		wg.Wait()
		for j, p := range problems {
			if p != "" {
				rt.Fatalf("client %d (%+v): %s", j, ways[j], p)
			}
		}
		if state := r.waitReleased(t, ids[i]); state != "" {
			rt.Fatalf("after %+v the router still holds requests:\n%s", ways, state)
		}
		// With the slot back, the next request goes through at once.
		status, body := read(t, r.call(t, "GET", "/hold?ms=0", nil, append(abandonService(), "x-waiter-queue-timeout", "3000")...))
		if status != 200 || body != "held 0" {
			rt.Fatalf("after %+v the next request was answered %d %q", ways, status, body)
		}
		if now := instances(i); now != first[i] {
			rt.Fatalf("after %+v the service's instances changed from\n%s\nto\n%s", ways, first[i], now)
		}
	})
	// Nor may a client that left leave a goroutine or a descriptor
	// behind it while the router runs on (leakcheck sees only what
	// outlives the router). A few come and go: connections to the
	// instances kept for the next requests, the clients' own.
	for _, f := range fronts {
		f.h2.CloseIdleConnections()
	}
	awaitNoGrowth(t, "after the clients left", goroutines, fds)
}

// awaitNoGrowth waits (up to 5 s) until this process holds no more
// goroutines or descriptors than it did before (goroutines, fds), with
// 16 of slack for pooled connections and the clients' own; it fails the
// test with every goroutine's stack when it never does.
func awaitNoGrowth(t *testing.T, when string, goroutines, fds int) {
	t.Helper()
	const slack = 16
	deadline := time.Now().Add(5 * time.Second)
	for runtime.NumGoroutine() > goroutines+slack || openFDs(t) > fds+slack {
		if time.Now().After(deadline) {
			buf := make([]byte, 1<<20)
			t.Fatalf("%s: %d goroutines (%d before), %d descriptors (%d before)\n%s",
				when, runtime.NumGoroutine(), goroutines, openFDs(t), fds, buf[:runtime.Stack(buf, true)])
		}
		time.Sleep(10 * time.Millisecond) // polling for goroutines to end, as leakcheck does
	}
}

// openFDs counts this process's open descriptors.
func openFDs(t *testing.T) int {
	entries, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		t.Fatal(err)
	}
	return len(entries)
}
