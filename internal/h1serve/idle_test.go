package h1serve

import (
	"bufio"
	"fmt"
	"net"
	"net/http"
	"sync/atomic"
	"testing"
)

// An idle keep-alive connection holds no reader or writer: a hundred
// connections each answered once and left open make the pools create a
// few buffers, not a hundred of each (held for the connection's life, they
// were 8 KB of every idle connection's 18 KB of heap).
func TestIdleConnectionsHoldNoBuffers(t *testing.T) {
	var readers, writers atomic.Int64
	oldR, oldW := readerPool.New, writerPool.New
	readerPool.New = func() any { readers.Add(1); return oldR() }
	writerPool.New = func() any { writers.Add(1); return oldW() }
	t.Cleanup(func() { readerPool.New, writerPool.New = oldR, oldW })

	_, fast := serveBoth(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, "hello")
	}))
	const n = 100
	for i := range n {
		c, err := net.Dial("tcp", fast)
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		fmt.Fprintf(c, "GET /%d HTTP/1.1\r\nHost: x\r\n\r\n", i)
		resp, err := http.ReadResponse(bufio.NewReader(c), nil)
		if err != nil {
			t.Fatalf("connection %d: %v", i, err)
		}
		_ = resp.Body.Close()
		if resp.StatusCode != http.StatusOK || resp.Close {
			t.Fatalf("connection %d: %d, close %v; want a kept-alive 200", i, resp.StatusCode, resp.Close)
		}
	}
	// The server puts a request's buffers back after its response is
	// written; the next connection's request came after that response.
	// (Under -race sync.Pool drops a quarter of what is put back: about
	// 25 are made then; held for the connection's life, 100.)
	if r, w := readers.Load(), writers.Load(); r > n/2 || w > n/2 {
		t.Errorf("%d idle connections made the pools create %d readers and %d writers; want a few (they hold none)", n, r, w)
	}
}
