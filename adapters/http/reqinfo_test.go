package waiterhttp

import (
	"context"
	"net/http"
	"testing"
	"time"
)

// A request whose context ConnContext made (the fast front's) keeps its
// reqInfo there, without a copy of the request, and each request on the
// connection starts with a fresh one: nothing of the one before (its
// x-cid, debug flag, caller) carries over.
func TestConnContextInfoPerRequest(t *testing.T) {
	s := &Server{}
	ctx := s.ConnContext(context.Background())
	first, _ := http.NewRequestWithContext(ctx, http.MethodGet, "http://a/x", nil)
	first.Header.Set(hdrCID, "client-cid")
	first.Header.Set(hdrDebug, "true")
	r, ri := withInfo(first, time.Unix(1, 0))
	if r != first {
		t.Fatal("withInfo copied a request whose context is the connection's")
	}
	if ri.cid != "client-cid" || !ri.debug || info(r) != ri {
		t.Fatalf("first request's info: cid %q, debug %v", ri.cid, ri.debug)
	}
	ri.principal = &ri.principalValue
	ri.apiKnown = true

	second, _ := http.NewRequestWithContext(ctx, http.MethodGet, "http://a/y", nil)
	r, ri = withInfo(second, time.Unix(2, 0))
	if r != second {
		t.Fatal("withInfo copied the second request")
	}
	if ri.cid == "" || ri.cid == "client-cid" || ri.debug || ri.principal != nil || ri.apiKnown || !ri.start.Equal(time.Unix(2, 0)) {
		t.Fatalf("second request's info carries the first's: %+v", *ri)
	}
	if got := ri.cidValues(); len(got) != 1 || got[0] != ri.cid {
		t.Fatalf("cidValues %q, want [%q]", got, ri.cid)
	}

	// Any other request gets a context of its own.
	plain, _ := http.NewRequest(http.MethodGet, "http://a/z", nil)
	if r, _ := withInfo(plain, time.Unix(3, 0)); r == plain {
		t.Fatal("a request without the connection's context was not given one")
	}
}

// Correlation ids the router makes are 24 hex digits, and differ.
func TestNewCID(t *testing.T) {
	seen := map[string]bool{}
	for range 1000 {
		c := newCID()
		if len(c) != cidLen {
			t.Fatalf("cid %q: %d characters, want %d", c, len(c), cidLen)
		}
		for _, r := range c {
			if !('0' <= r && r <= '9' || 'a' <= r && r <= 'f') {
				t.Fatalf("cid %q is not hex", c)
			}
		}
		if seen[c] {
			t.Fatalf("cid %q made twice", c)
		}
		seen[c] = true
	}
}
