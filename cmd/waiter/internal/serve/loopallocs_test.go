//go:build linux && !race

// Not under the race detector: its sync.Pools drop what they hold at
// random, so pooled records are made anew and the count means nothing.

package serve

import (
	"bytes"
	"fmt"
	"io"
	"net"
	"net/http"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/waiter-go/waiter/cmd/waiter/internal/config"
)

// A keep-alive request costs the router no Go heap allocation in the
// steady state, on either front: its head's text is cut from an arena
// (the event loop's own, or a pooled one on the goroutine front), a
// chunk for about 40 heads like it. It cost one allocation a request on
// the loops before, when each head had a string of its own, and two on
// the goroutine front, whose status line also escaped to the heap. The
// process counts every goroutine's allocations, the in-process
// instance's too, so the same requests are also sent straight to the
// instance, with the headers the router adds, and only the difference is
// the router's. One connection at a time makes each loop wait for every
// request and every answer: what the loop allocates to wait shows twice
// per request.
func TestKeepAliveRequestsAllocateNothing(t *testing.T) {
	t.Run("event loops", func(t *testing.T) { keepAliveAllocs(t, true) })
	t.Run("goroutine front", func(t *testing.T) { keepAliveAllocs(t, false, goroutineFront) })
}

func keepAliveAllocs(t *testing.T, loops bool, mutate ...func(*config.Config)) {
	var mu sync.Mutex
	var seen http.Header // what the instance got through the router
	var backend net.Addr
	rt, fr := startFrontRouter(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/alloc" {
			mu.Lock()
			if seen == nil {
				seen = r.Header.Clone()
				backend, _ = r.Context().Value(http.LocalAddrContextKey).(net.Addr)
			}
			mu.Unlock()
		}
		_, _ = io.WriteString(w, "ok")
	}), mutate...)
	if fr == nil || (fr.loops != nil) != loops {
		t.Fatalf("the router built event loops: %v, want %v", fr != nil && fr.loops != nil, loops)
	}
	const n = 3000
	viaRouter := []byte("GET /alloc HTTP/1.1\r\nHost: h\r\n" + frontSvc + "\r\n")
	host := strings.TrimPrefix(rt.url, "http://")
	// The first request stores the service, which the loops leave to the
	// goroutine front with its connection: the requests measured come on
	// another.
	first := dialRaw(t, host)
	first.sendBytes(viaRouter)
	first.answerOK()
	router := dialRaw(t, host)
	through := func() {
		router.sendBytes(viaRouter)
		router.answerOK()
	}
	mu.Lock()
	if seen == nil || backend == nil {
		mu.Unlock()
		t.Fatal("the instance saw no request through the router")
	}
	direct := dialRaw(t, backend.String())
	straight := []byte(directHead(seen))
	mu.Unlock()
	toInstance := func() {
		direct.sendBytes(straight)
		direct.answerOK()
	}
	for range 200 { // warm both: pools, kits, buffers, decisions
		through()
		toInstance()
	}
	routed := mallocsPerCall(n, through)
	own := mallocsPerCall(n, toInstance)
	t.Logf("allocations per request: %.2f through the router, %.2f straight to the instance", routed, own)
	if extra := routed - own; extra > 0.5 {
		t.Fatalf("the router allocates %.2f times per keep-alive request, want none (a chunk's share)", extra)
	}
}

// directHead is a request for /alloc with the headers the instance got
// through the router, so that its own allocations are the same.
func directHead(h http.Header) string {
	var b strings.Builder
	b.WriteString("GET /alloc HTTP/1.1\r\nHost: h\r\n")
	for _, k := range slices.Sorted(func(yield func(string) bool) {
		for k := range h {
			if !yield(k) {
				return
			}
		}
	}) {
		for _, v := range h[k] {
			fmt.Fprintf(&b, "%s: %s\r\n", k, v)
		}
	}
	b.WriteString("\r\n")
	return b.String()
}

// mallocsPerCall is the process's heap allocations per call of f, over n
// calls.
func mallocsPerCall(n int, f func()) float64 {
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	for range n {
		f()
	}
	runtime.ReadMemStats(&after)
	return float64(after.Mallocs-before.Mallocs) / float64(n)
}

func (rc *rawConn) sendBytes(b []byte) {
	rc.t.Helper()
	_ = rc.c.SetDeadline(time.Now().Add(10 * time.Second))
	if _, err := rc.c.Write(b); err != nil {
		rc.t.Fatal(err)
	}
}

// answerOK reads a 200 answer with a Content-Length body without
// allocating (http.ReadResponse would, and be counted).
func (rc *rawConn) answerOK() {
	rc.t.Helper()
	line, err := rc.br.ReadSlice('\n')
	if err != nil || !bytes.HasPrefix(line, []byte("HTTP/1.1 200 ")) {
		rc.t.Fatalf("answer %q: %v", line, err)
	}
	length := -1
	for {
		line, err = rc.br.ReadSlice('\n')
		if err != nil {
			rc.t.Fatalf("answer's head: %v", err)
		}
		if len(line) <= 2 {
			break
		}
		if v, ok := bytes.CutPrefix(line, []byte("Content-Length: ")); ok {
			length, err = strconv.Atoi(string(bytes.TrimSpace(v)))
			if err != nil {
				rc.t.Fatalf("Content-Length %q", v)
			}
		}
	}
	if length < 0 {
		rc.t.Fatal("an answer without Content-Length")
	}
	if _, err := rc.br.Discard(length); err != nil {
		rc.t.Fatalf("answer's body: %v", err)
	}
}
