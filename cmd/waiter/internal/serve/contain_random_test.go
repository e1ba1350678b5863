package serve

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"pgregory.net/rapid"

	"github.com/waiter-go/waiter/cmd/waiter/internal/config"
)

// Panics at random requests, among others on the same loop: clients call
// a service of one slot at once over keep-alive connections, some of
// their requests queue (some past a short queue timeout: their 503 comes
// through the loop's mailbox, several in one mail round), and the access
// log's handler panics on the requests marked for it, wherever the loop
// is when it writes their entry. Whatever fired, the router must stay
// whole: every unmarked request is answered whole, the service holds no
// request once the clients are done, its slot serves the next request
// at once, every panic on the loop front was contained, every panic on
// either front was counted (waiter_router_panics_total), and no
// goroutine or descriptor is left behind.

// cidPanics is a slog handler that panics on a record whose cid starts
// with "panic-", counting those it threw.
type cidPanics struct{ fired *atomic.Int64 }

func (h cidPanics) Enabled(context.Context, slog.Level) bool { return true }
func (h cidPanics) Handle(_ context.Context, r slog.Record) error {
	marked := false
	r.Attrs(func(a slog.Attr) bool {
		marked = a.Key == "cid" && strings.HasPrefix(a.Value.String(), "panic-")
		return !marked
	})
	if marked {
		h.fired.Add(1)
		panic("an access log that fails")
	}
	return nil
}
func (h cidPanics) WithAttrs([]slog.Attr) slog.Handler { return h }
func (h cidPanics) WithGroup(string) slog.Handler      { return h }

// panicRequest is one request of a client: slow (the instance waits
// 30 ms), a short queue timeout (15 ms: it may be refused with a 503
// while another request holds the slot), marked for the access log to
// panic on.
type panicRequest struct{ slow, shortQueue, marked bool }

const panicBody = 64 // bytes of x-kitchen-response-size

// randomPanicService has one slot: one instance, one request at a time.
var randomPanicService = service("contain-random", "x-waiter-concurrency-level", "1", "x-waiter-max-instances", "1")

// runPanicClient sends reqs on one keep-alive connection to addr, in turn, and
// returns "" or what was wrong. After a marked request the connection
// is the router's to close: the client stops using it.
func runPanicClient(addr string, n int, reqs []panicRequest) string {
	c, err := net.Dial("tcp", addr)
	if err != nil {
		return err.Error()
	}
	defer c.Close()
	_ = c.SetDeadline(time.Now().Add(10 * time.Second))
	br := bufio.NewReader(c)
	for i, rq := range reqs {
		cid := fmt.Sprintf("c%d-%d-%d", n, i, time.Now().UnixNano())
		if rq.marked {
			cid = "panic-" + cid
		}
		extra := "x-cid: " + cid + "\r\nx-kitchen-response-size: " + strconv.Itoa(panicBody) + "\r\n"
		if rq.slow {
			extra += "x-kitchen-delay-ms: 30\r\n"
		}
		if rq.shortQueue {
			extra += "x-waiter-queue-timeout: 15\r\n"
		} else {
			extra += "x-waiter-queue-timeout: 10000\r\n"
		}
		if _, err := io.WriteString(c, "GET / HTTP/1.1\r\nHost: h\r\n"+headerLines(randomPanicService)+extra+"\r\n"); err != nil {
			return fmt.Sprintf("request %d: %v", i, err)
		}
		resp, err := http.ReadResponse(br, nil)
		var body []byte
		if err == nil {
			body, err = io.ReadAll(resp.Body)
		}
		if rq.marked {
			return "" // whatever came, the connection is done
		}
		switch {
		case err != nil:
			return fmt.Sprintf("request %d (%+v): %v", i, rq, err)
		case resp.StatusCode == 200 && len(body) == panicBody:
		case resp.StatusCode == 503 && rq.shortQueue:
		default:
			return fmt.Sprintf("request %d (%+v): %d %q", i, rq, resp.StatusCode, body)
		}
	}
	return ""
}

func TestRandomPanicsLeaveTheRouterWhole(t *testing.T) {
	type under struct {
		rt    *testRouter
		fr    *front
		addr  string
		id    string
		fired *atomic.Int64
	}
	var routers []under
	for _, loops := range []bool{true, false} {
		fired := new(atomic.Int64)
		built := make(chan *front, 1)
		onFront = func(f *front) { built <- f }
		rt := startRouterOpts(t, nil, nil, func(o *Options) {
			o.Logger = slog.New(slog.DiscardHandler)
			o.AccessLog = slog.New(cidPanics{fired: fired})
		}, func(c *config.Config) { c.EventLoop, c.EventLoops = loops, 1 })
		addr := strings.TrimPrefix(rt.url, "http://")
		// Started and stored before the clients come (the loops hand
		// the first request of a service not yet stored off, and serve
		// the next).
		for range 2 {
			if msg := runPanicClient(addr, -1, []panicRequest{{}}); msg != "" {
				t.Fatalf("starting the service: %s", msg)
			}
		}
		fr := <-built
		onFront = nil
		if loops && (fr.loops == nil || fr.loops.Served() == 0) {
			t.Fatal("the event loop served nothing: the test would not be about it")
		}
		routers = append(routers, under{rt: rt, fr: fr, addr: addr, id: rt.serviceID(t, randomPanicService), fired: fired})
	}
	goroutines, fds := runtime.NumGoroutine(), openFDs(t)
	rapid.Check(t, func(rt *rapid.T) {
		u := routers[rapid.IntRange(0, 1).Draw(rt, "front")] // 0: the event loops, 1: the goroutine front
		firedBefore, containedBefore, countedBefore := u.fired.Load(), int64(0), u.rt.panicsCounted(t)
		if u.fr.loops != nil {
			containedBefore = u.fr.loops.Contained()
		}
		clients := rapid.IntRange(1, 4).Draw(rt, "clients")
		plans := make([][]panicRequest, clients)
		for i := range plans {
			plans[i] = rapid.SliceOfN(rapid.Custom(func(rt *rapid.T) panicRequest {
				return panicRequest{slow: rapid.Bool().Draw(rt, "slow"), shortQueue: rapid.Bool().Draw(rt, "short queue"),
					marked: rapid.IntRange(0, 2).Draw(rt, "mark") == 0}
			}), 1, 3).Draw(rt, fmt.Sprintf("client %d", i))
		}
		problems := make([]string, clients)
		var wg sync.WaitGroup
		for i := range plans {
			wg.Go(func() { problems[i] = runPanicClient(u.addr, i, plans[i]) })
		}
		wg.Wait()
		for i, p := range problems {
			if p != "" {
				rt.Fatalf("client %d (%+v): %s", i, plans[i], p)
			}
		}
		if state := u.rt.waitReleased(t, u.id); state != "" {
			rt.Fatalf("after %+v the router still holds requests:\n%s", plans, state)
		}
		if msg := runPanicClient(u.addr, -1, []panicRequest{{}}); msg != "" {
			rt.Fatalf("after %+v the next request: %s", plans, msg)
		}
		fired := u.fired.Load() - firedBefore
		if u.fr.loops != nil {
			if contained := u.fr.loops.Contained() - containedBefore; fired != contained {
				rt.Fatalf("after %+v: %d panics fired, the loops contained %d", plans, fired, contained)
			}
		}
		if counted := u.rt.panicsCounted(t) - countedBefore; counted != float64(fired) {
			rt.Fatalf("after %+v: %d panics fired, waiter_router_panics_total grew by %v", plans, fired, counted)
		}
	})
	awaitNoGrowth(t, "after the panics", goroutines, fds)
}
