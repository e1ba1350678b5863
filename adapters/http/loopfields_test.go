package waiterhttp

import (
	"net/http"
	"strings"
	"testing"

	"github.com/waiter-go/waiter/internal/h1serve"
)

// forwardOnLoop serves raw on h's loop call, which must forward it, and
// returns the request the instance gets.
func (h *loopHarness) forwardOnLoop(raw string) string {
	h.t.Helper()
	var parser h1serve.Head
	var resp h1serve.Buffered
	r := h.parseOnLoop(raw, &parser, &resp)
	defer resp.Release()
	if step := h.call.Begin(resp.Writer(), r, parser.Fields(), nil); step != LoopForward {
		h.t.Fatalf("step %d, want LoopForward", step)
	}
	out := string(h.call.AppendRequest(nil))
	h.call.Finish(LoopComplete, 0)
	return out
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
