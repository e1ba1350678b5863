package waiterhttp

import (
	"net/http"
	"strings"
	"testing"
)

// A token name that breaks Waiter's character rule can never exist: named
// by x-waiter-token it is Waiter's 404 "Token not found: <name>", and by
// Host it is no token at all, and in neither case is the store asked.
func TestBadTokenNamesNeverReachTheStore(t *testing.T) {
	e := newTestEdge(t)
	for _, name := range []string{"bad#token", "1starts-with-a-digit", "a", "has space", "slash/y", "über"} {
		rec := e.do(t, req{path: "/hello", headers: map[string]string{"x-waiter-token": name, "Accept": "application/json"}})
		wantStatus(t, rec, http.StatusNotFound)
		if msg, _ := decodeJSON(t, rec)["waiter-error"].(map[string]any)["message"].(string); msg != "Token not found: "+name {
			t.Errorf("x-waiter-token %q: message %q, want %q", name, msg, "Token not found: "+name)
		}
	}
	// Names are looked up in order: a valid name before a bad one is read
	// (and reported missing here); the bad one never is.
	rec := e.do(t, req{path: "/hello", headers: map[string]string{"x-waiter-token": "good-name,bad#token"}})
	wantStatus(t, rec, http.StatusNotFound)
	if !strings.Contains(rec.Body.String(), "Token not found: good-name") {
		t.Errorf("the first (missing) name should be reported: %s", rec.Body.String())
	}
	if n := e.store.callsTo("GetToken"); n != 1 {
		t.Fatalf("the store was asked %d times, want once (for good-name only)", n)
	}

	// By Host: an IP address or a name that breaks the rule names no
	// token, so the request is an on-the-fly one (the fake router admits
	// nothing: 503 "no instance") and the store is not asked.
	before := e.store.callsTo("GetToken")
	for _, host := range []string{"10.1.2.3:9091", "bad_host$#x", "9lives.example"} {
		rec := e.do(t, req{path: "/hello", host: host, headers: kitchenHeaders()})
		if rec.Code != http.StatusServiceUnavailable || !strings.Contains(rec.Body.String(), "no instance") {
			t.Errorf("Host %q: status %d, want the on-the-fly service's answer: %s", host, rec.Code, rec.Body.String())
		}
	}
	if n := e.store.callsTo("GetToken") - before; n != 0 {
		t.Fatalf("Hosts that cannot name a token asked the store %d times, want 0", n)
	}
	// A Host that can name a token is looked up.
	e.do(t, req{path: "/hello", host: "my-app.example:9091", headers: kitchenHeaders()})
	if n := e.store.callsTo("GetToken") - before; n != 1 {
		t.Fatalf("a Host that can name a token asked the store %d times, want once", n)
	}
}
