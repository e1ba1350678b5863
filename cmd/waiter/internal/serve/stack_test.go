//go:build !race

// The race detector makes every frame larger, so the bound below holds
// only without it.

package serve

import (
	"runtime"
	"runtime/debug"
	"strings"
	"sync"
	"testing"
)

// idleStackBound is what one idle keep-alive connection may hold in
// goroutine stack. A goroutine's stack is a power of two at least as deep
// as the deepest call it made; the fast path's deepest (the front, the
// handler, forward, the backend exchange) fits in 8 KB. One byte past it
// and the runtime doubles the stack to 16 KB and keeps it while the
// connection idles (this router collects rarely, and only a collection
// shrinks a stack), a third more memory per connection: twice already, a
// deferred call or a local added to forward or proxy was enough. The bound
// sits between the two sizes. Measured at this test's writing: a 1 KB local
// added to forward kept 8 KB, 1.5 KB made 16 KB, here and in the real
// binary under proxybench's memory benchmark alike. The deepest chain
// was then the admission's (Driver.Admit, the syncer, engine.arrive),
// within 100 bytes of 8 KB, not forward's: arrive's frame held 1.3 KB of
// inlined Actions, no longer (rejectNew and createService are not
// inlined). Past parkAfter an idle connection holds no goroutine at all
// (front.go); this bounds the second before it parks.
const idleStackBound = 12 << 10

// Each idle keep-alive connection the fast front served keeps a stack
// under idleStackBound. When this fails, look at the frames on the
// request path (`go tool objdump -s 'forward|proxy' <binary>`, the SUBQ
// at each function's start) before raising the bound: a
// debug.SetMaxStack(8192) placed before the connections below makes the
// goroutine that grows past 8 KB crash with the whole chain printed.
func TestIdleConnectionStackStaysSmall(t *testing.T) {
	var mu sync.Mutex
	var seen []string
	rt, fr := startFrontRouter(t, echoBackend(&seen, &mu), goroutineFront)
	if fr == nil {
		t.Fatal("the router built no fast front")
	}
	host := strings.TrimPrefix(rt.url, "http://")
	get := "GET /idle HTTP/1.1\r\nHost: " + host + "\r\n" + frontSvc + "\r\n"
	// The service's first request starts it; its connection is not counted.
	warm := dialRaw(t, host)
	warm.send(get)
	if status, body, _ := warm.answer("GET"); status != 200 || body != "echo /idle " {
		t.Fatalf("first request: %d %q", status, body)
	}

	// No collection while connections are counted: one would shrink the
	// stacks this test looks for.
	runtime.GC()
	defer debug.SetGCPercent(debug.SetGCPercent(-1))
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	heads := fr.fastHeads.Load()

	const conns = 200
	for range conns {
		rc := dialRaw(t, host)
		rc.send(get)
		if status, body, closed := rc.answer("GET"); status != 200 || body != "echo /idle " || closed {
			t.Fatalf("got %d %q (closing %v), want 200 and the connection kept", status, body, closed)
		}
	}
	runtime.ReadMemStats(&after)
	if n := fr.fastHeads.Load() - heads; n != conns {
		t.Fatalf("the fast path took %d of %d requests", n, conns)
	}
	perConn := (int64(after.StackInuse) - int64(before.StackInuse)) / conns
	t.Logf("stack per idle connection: %d B", perConn)
	if perConn > idleStackBound {
		t.Errorf("each idle connection holds %d B of stack, more than %d: the request path went deeper than 8 KB",
			perConn, idleStackBound)
	}
}
