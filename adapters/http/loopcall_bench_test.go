package waiterhttp

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/waiter-go/waiter"
	"github.com/waiter-go/waiter/engine"
	"github.com/waiter-go/waiter/internal/h1resp"
	"github.com/waiter-go/waiter/internal/h1serve"
	"github.com/waiter-go/waiter/internal/headername"
	"github.com/waiter-go/waiter/internal/strarena"
)

// asyncRouter is a fakeRouter that admits without blocking (the event
// loops' AsyncAdmitter): every admission is answered at once.
type asyncRouter struct{ *fakeRouter }

func (a asyncRouter) AdmitAsync(ad waiter.Admission, _ func(waiter.Grant, error)) (waiter.Grant, engine.RequestID, error) {
	g, err := a.Admit(context.Background(), ad)
	return g, 0, err
}

func (asyncRouter) CancelAdmission(engine.RequestID) {}

// localUser is headerUser deciding from the request alone, as the
// one-user authenticator does: the loops authenticate on their own.
type localUser struct{ headerUser }

func (localUser) AuthenticatesLocally() bool { return true }

// BenchmarkLoopCall is Waiter's own work on one keep-alive request the
// event loops serve, without their sockets: the head parsed as the loop
// parses it, LoopRoutable, Begin (resolve, admission), the request to
// the instance, the instance's answer relayed (RelayHead) and Finish.
// The baseline, in the same run, is the same bytes through the same
// parsers with none of Waiter's decisions (parse-only): the difference
// is what the loops spend on Waiter per request besides the wire.
func BenchmarkLoopCall(b *testing.B) {
	h := newLoopHarness(b)
	h.token("kit", map[string]any{"cmd": "kitchen", "cpus": 0.1, "mem": 64.0, "version": "v1"})
	srv, fake := h.srv, h.fake
	// One instance id, made once: the allocations counted are the router's.
	fake.admit = func(a waiter.Admission) (waiter.Grant, error) {
		return waiter.Grant{Request: 1, Service: a.Description.ID, Instance: "kit.1", Host: "127.0.0.1", Port: 9}, nil
	}
	token := []byte("GET /hello HTTP/1.1\r\nHost: 127.0.0.1:9091\r\nx-waiter-token: kit\r\nUser-Agent: wrk\r\nAccept: */*\r\n\r\n")
	// onTheFly is the service in x-waiter-* headers, as proxybench's
	// "waiter (headers)" sends it: a head too long for the parser's small map.
	onTheFly := []byte("GET /hello HTTP/1.1\r\nHost: 127.0.0.1:9091\r\nx-waiter-cmd: kitchen\r\nx-waiter-cmd-type: shell\r\n" +
		"x-waiter-cpus: 0.1\r\nx-waiter-mem: 64\r\nx-waiter-version: v1\r\nx-waiter-name: kit\r\nx-waiter-concurrency-level: 256\r\n" +
		"x-waiter-min-instances: 1\r\nx-waiter-max-instances: 1\r\nUser-Agent: wrk\r\nAccept: */*\r\n\r\n")
	answer := []byte("HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nDate: Sat, 05 Dec 2026 00:00:00 GMT\r\nContent-Length: 11\r\n\r\nhello world")
	parser := h1serve.Head{Strings: new(strarena.Arena), Names: new(headername.Cache)} // as the loops parse: heads cut from an arena, names through a cache
	var resp h1serve.Buffered
	base := h.base
	var out, head []byte
	var fields []h1resp.Field

	for _, c := range []struct {
		suffix string
		raw    []byte
	}{{"", token}, {"-headers", onTheFly}} {
		raw := c.raw
		// The service is stored by its first request (the goroutine front's).
		first, _, _ := parser.Parse(raw, &base)
		srv.ServeHTTP(&benchWriter{h: http.Header{}}, first.WithContext(context.Background()))
		benchLoopCall(b, c.suffix, raw, answer, &loopBench{srv: srv, fake: fake, parser: &parser, resp: &resp, base: &base,
			out: &out, head: &head, fields: &fields})
	}
}

// loopBench is what BenchmarkLoopCall's cases share.
type loopBench struct {
	srv       *Server
	fake      *fakeRouter
	parser    *h1serve.Head
	resp      *h1serve.Buffered
	base      *http.Request
	out, head *[]byte
	fields    *[]h1resp.Field
}

// benchLoopCall runs BenchmarkLoopCall's sub-benchmarks for one request.
func benchLoopCall(b *testing.B, suffix string, raw, answer []byte, lb *loopBench) {
	srv, fake, parser, resp, base := lb.srv, lb.fake, lb.parser, lb.resp, lb.base
	out, head, fields := *lb.out, *lb.head, *lb.fields
	defer func() { *lb.out, *lb.head, *lb.fields = out, head, fields }()
	parseOnly := func() {
		r, _, _ := parser.Parse(raw, base)
		resp.Reset(r)
		h, _, _ := h1resp.ParseHead(answer, false, fields, 1<<16)
		fields = h.Fields
		head = append(head[:0], answer...)
		resp.Done() // as the loops do between requests
	}
	b.Run("parse-only"+suffix, func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			parseOnly()
		}
	})
	// waiter keeps the loop's decisions (LoopDecisions), as the loops
	// do; waiter-undecided decides every request anew.
	for _, kept := range []bool{true, false} {
		name, d := "waiter", srv.NewLoopDecisions()
		if !kept {
			name, d = "waiter-undecided", nil
		}
		call := srv.NewLoopCall(d)
		b.Run(name+suffix, func(b *testing.B) {
			b.ReportAllocs()
			n := 0
			start := time.Now()
			for b.Loop() {
				r, _, _ := parser.Parse(raw, base)
				if !srv.LoopRoutable(r, parser.Fields()) {
					b.Fatal("not routable on the loop")
				}
				resp.Reset(r)
				if step := call.Begin(resp.Writer(), r, parser.Fields(), nil); step != LoopForward {
					b.Fatalf("step %d", step)
				}
				out = call.AppendRequest(out[:0])
				h, _, _ := h1resp.ParseHead(answer, false, fields, 1<<16)
				fields = h.Fields
				var ok bool
				if head, _, ok = call.RelayHead(head[:0], h.Status, h.Fields, h.Length); !ok {
					b.Fatal("not relayed")
				}
				call.Finish(LoopComplete, 0)
				resp.Done()           // as the loops do between requests
				if n++; n%1024 == 0 { // the fake records every admission
					fake.mu.Lock()
					fake.admitted, fake.released = fake.admitted[:0], fake.released[:0]
					fake.mu.Unlock()
				}
			}
			// The baseline in the same run: as many parses alone.
			spent := time.Since(start)
			start = time.Now()
			for range b.N {
				parseOnly()
			}
			parse := time.Since(start)
			b.ReportMetric(float64(spent)/float64(parse), "x-parse-only")
			b.ReportMetric(float64(spent-parse)/float64(b.N), "waiter-ns/req")
		})
	}
}
