//go:build !race

// The race detector's runtime allocates for its own bookkeeping and has
// sync.Pool drop items at random (the arenas the goroutine front's parse
// takes), so an allocation count means nothing under it; make test runs
// this file in its plain pass.

package h1serve

import (
	"bufio"
	"bytes"
	"context"
	"net/http"
	"testing"
)

// A plain head costs the goroutine front's parser no allocation in the
// steady state, header names in lower case included (interned,
// internal/headername): its text is cut from a pooled arena, a chunk for
// dozens of heads (it cost one allocation, the head as a string, before;
// http.ReadRequest costs a dozen).
func TestParseFastAllocatesNothing(t *testing.T) {
	head := []byte("GET /a?b=1 HTTP/1.1\r\nHost: example.com\r\nx-waiter-token: kit\r\nUser-Agent: wrk\r\n\r\n")
	rd := bytes.NewReader(head)
	br := bufio.NewReaderSize(rd, 4<<10)
	var h fastHead
	base := (&http.Request{}).WithContext(context.Background())
	var r *http.Request
	allocs := testing.AllocsPerRun(500, func() {
		rd.Reset(head)
		br.Reset(rd)
		_, _ = br.Peek(1)
		var ok bool
		if r, ok = h.parseFast(br, base); !ok {
			t.Fatal("not taken")
		}
	})
	if got := r.Header["X-Waiter-Token"]; len(got) != 1 || got[0] != "kit" || r.Host != "example.com" {
		t.Fatalf("parsed %v, host %q", r.Header, r.Host)
	}
	if allocs > 0.1 {
		t.Fatalf("%v allocations per head, want a chunk's share", allocs)
	}
}
