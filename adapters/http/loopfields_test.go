package waiterhttp

import (
	"context"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/valyala/fasthttp"
	"github.com/waiter-go/waiter/internal/h1serve"
)

// forwardOnLoop serves raw on h's loop call, which must forward it, and
// returns the request the instance gets.
func (h *loopHarness) forwardOnLoop(raw string) string {
	h.t.Helper()
	res := h.serve(raw)
	if res.step != LoopForward {
		h.t.Fatalf("step %d, want LoopForward", res.step)
	}
	return res.forwarded
}

// The instance gets the client's headers in the order the client sent
// them, repeated names where they came, whatever the header map's order;
// what Waiter takes out (x-waiter-*, hop-by-hop) stays out.
func TestLoopForwardsHeadersInWireOrder(t *testing.T) {
	h := newLoopHarness(t)
	h.token("kit", map[string]any{"cmd": "kitchen", "cpus": 0.1, "mem": 64.0, "version": "v1"})
	names := []string{"Zeta", "Accept", "X-B", "Mid", "X-B", "Alpha", "Keep-Alive", "Omega", "Beta"}
	var lines []string
	for i, n := range names {
		lines = append(lines, n+": v"+string(rune('0'+i)))
	}
	lines = append(lines[:3], append([]string{"x-waiter-token: kit"}, lines[3:]...)...)
	req := loopGet(lines...)
	h.serve(req) // starts the service
	var want []string
	for i, n := range names {
		if n != "Keep-Alive" { // hop-by-hop
			want = append(want, n+": v"+string(rune('0'+i)))
		}
	}
	for range 3 { // decided anew, then from the kept decision
		out := h.forwardOnLoop(req)
		var got []string
		for _, line := range strings.Split(out, "\r\n")[1:] {
			name, _, _ := strings.Cut(line, ":")
			if strings.EqualFold(name, "x-waiter-token") || strings.EqualFold(name, "keep-alive") {
				t.Fatalf("forwarded %q:\n%s", line, out)
			}
			for _, n := range names {
				if name == n {
					got = append(got, line)
					break
				}
			}
		}
		if strings.Join(got, "|") != strings.Join(want, "|") {
			t.Fatalf("client headers forwarded as %q, want %q:\n%s", got, want, out)
		}
	}
}

// A decision is keyed by the x-waiter-* headers in the order they came:
// the same headers in another order are decided anew (to the same
// service) and kept apart, and a value under another name is another key.
func TestLoopDecisionKeysInWireOrder(t *testing.T) {
	h := newLoopHarness(t)
	h.token("kita", map[string]any{"cmd": "kitchen", "cpus": 0.1, "mem": 64.0, "version": "v1"})
	h.token("kitb", map[string]any{"cmd": "kitchen", "cpus": 0.1, "mem": 64.0, "version": "v2"})
	ab := loopGet("x-waiter-token: kita", "x-waiter-queue-timeout: 5000")
	ba := loopGet("x-waiter-queue-timeout: 5000", "x-waiter-token: kita")
	h.serve(ab) // starts the service
	first := h.serve(ab)
	if first.step != LoopForward {
		t.Fatalf("a: %+v, want forwarded", first)
	}
	if got := h.serve(ab); !got.kept || got.service != first.service {
		t.Fatalf("a again: %+v, want the kept decision for %s", got, first.service)
	}
	if got := h.serve(ba); got.kept || got.service != first.service {
		t.Fatalf("a's headers in another order: %+v, want decided anew, to %s", got, first.service)
	}
	if got := h.serve(ba); !got.kept || got.service != first.service {
		t.Fatalf("that order again: %+v, want its kept decision", got)
	}
	if got := h.serve(ab); !got.kept {
		t.Fatalf("the first order after the second: %+v, want its own decision still kept", got)
	}
	if len(h.d.m) != 2 {
		t.Fatalf("%d decisions kept, want one per order", len(h.d.m))
	}
	h.serve(loopGet("x-waiter-token: kitb", "x-waiter-queue-timeout: 5000")) // starts b's service
	if got := h.serve(loopGet("x-waiter-token: kitb", "x-waiter-queue-timeout: 5000")); got.kept || got.service == first.service {
		t.Fatalf("another token's value under the same names: %+v, want its own decision (not %s)", got, first.service)
	}
}

// The wire-order key and the map's sorted key decode to the same list of
// names and values when the lines came in sorted order, one per name;
// so each key stands for one set of headers.
func TestWaiterFieldsKeyEncodesAsHeadersKey(t *testing.T) {
	fields := []h1serve.Field{{Key: "Accept", Value: "*/*"}, {Key: "X-Waiter-Cpus", Value: "1"}, {Key: "X-Waiter-Token", Value: "t"}}
	h := http.Header{}
	for _, f := range fields {
		h[f.Key] = append(h[f.Key], f.Value)
	}
	wire, ok1 := waiterFieldsKey(nil, fields)
	sorted, ok2 := waiterHeadersKey(nil, h)
	if !ok1 || !ok2 || string(wire) != string(sorted) {
		t.Fatalf("wire key %q (%v), map key %q (%v)", wire, ok1, sorted, ok2)
	}
	var many []h1serve.Field
	for range maxWireHeaders + 1 {
		many = append(many, h1serve.Field{Key: "X-Waiter-Env-A", Value: "1"})
	}
	if _, ok := waiterFieldsKey(nil, many); ok {
		t.Fatalf("%d x-waiter-* lines made a key", len(many))
	}
}

// fieldsRecorder is a benchRecorder whose request came with its header
// lines in wire order, as internal/h1serve's ResponseWriter gives them.
type fieldsRecorder struct {
	*benchRecorder
	fields []h1serve.Field
}

func (w fieldsRecorder) RequestFields() []h1serve.Field { return w.fields }

// The goroutine front forwards in wire order too, when its server has the
// lines (a head internal/h1serve's fast parser read).
func TestGoroutineFrontForwardsHeadersInWireOrder(t *testing.T) {
	heads := make(chan string, 1)
	host, port := fasthttpBackend(t, func(ctx *fasthttp.RequestCtx) {
		heads <- string(ctx.Request.Header.RawHeaders())
		ctx.SetBodyString("ok")
	})
	srv, _ := kitProxy(t, host, port)
	conn := srv.ConnContext(context.Background())
	raw := "GET /x HTTP/1.1\r\nHost: 127.0.0.1:9091\r\nZeta: 0\r\nAccept: 1\r\nx-waiter-token: kit\r\nX-B: 2\r\nMid: 3\r\nX-B: 4\r\nAlpha: 5\r\n\r\n"
	want := []string{"Zeta: 0", "Accept: 1", "X-B: 2", "Mid: 3", "X-B: 4", "Alpha: 5"}
	forwarded := func(w http.ResponseWriter, r *http.Request) []string {
		t.Helper()
		srv.ServeHTTP(w, r)
		srv.RequestDone(conn)
		var got []string
		for _, line := range strings.Split(<-heads, "\r\n") {
			for _, l := range want {
				if line == l {
					got = append(got, line)
				}
			}
		}
		return got
	}
	for range 3 {
		var parser h1serve.Head
		r, _, ok := parser.Parse([]byte(raw), &http.Request{})
		if !ok {
			t.Fatal("not parsed")
		}
		r = r.WithContext(conn)
		w := fieldsRecorder{&benchRecorder{h: http.Header{}}, parser.Fields()}
		if got := forwarded(w, r); !slices.Equal(got, want) {
			t.Fatalf("forwarded %q, want %q", got, want)
		}
		if w.code != http.StatusOK {
			t.Fatalf("status %d: %s", w.code, w.body.String())
		}
	}
}

// A request whose header is another map than the one the front's lines
// describe is walked as a map.
func TestWireFieldsNeedTheirHeader(t *testing.T) {
	h, other := http.Header{"A": {"1"}}, http.Header{"A": {"1"}}
	ri := reqInfo{fields: []h1serve.Field{{Key: "A", Value: "1"}}, fieldsOf: h}
	if ri.wireFields(h) == nil {
		t.Error("no fields for their own header")
	}
	if ri.wireFields(other) != nil {
		t.Error("fields for another header with the same entries")
	}
	if (&reqInfo{}).wireFields(h) != nil {
		t.Error("fields from a request that brought none")
	}
}
