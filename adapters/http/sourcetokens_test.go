package waiterhttp

import (
	"net/http"
	"testing"

	"github.com/waiter-go/waiter"
)

// The token versions that reach a service are written to the store once
// each, not per request; resolving alone (/service-id) writes nothing; and
// a new Server over the same store (a restarted router) reads them back
// instead of writing them again.
func TestSourceTokensPersistedOncePerVersion(t *testing.T) {
	e := newTestEdge(t)
	const body = `{"token": "kit", "name": "kit", "cmd": "kitchen", "cpus": 0.1, "mem": 64, "version": "v1"`
	wantStatus(t, e.do(t, req{method: "POST", path: "/token", body: body + `}`}), http.StatusOK)
	wantStatus(t, e.do(t, req{method: "POST", path: "/token", body: `{"token": "other", "name": "kit", "cmd": "kitchen", "cpus": 0.1, "mem": 64, "version": "v1"}`}), http.StatusOK)
	through := func(e *testEdge, token string) {
		t.Helper()
		// The fake router admits nothing (503): the request reached the
		// service, and that is what records its token.
		wantStatus(t, e.do(t, req{path: "/x", headers: map[string]string{"x-waiter-token": token}}), http.StatusServiceUnavailable)
	}
	for range 3 {
		through(e, "kit")
	}
	id := e.router.admitted[0].Description.ID
	if n := e.store.callsTo("AddSourceTokens"); n != 1 {
		t.Fatalf("three requests through one token version wrote %d times, want once", n)
	}
	rec := e.do(t, req{path: "/service-id", headers: map[string]string{"x-waiter-token": "other"}})
	wantStatus(t, rec, http.StatusOK)
	if rec.Body.String() != id {
		t.Fatalf("token other names service %s, want the same service %s", rec.Body.String(), id)
	}
	if n := e.store.callsTo("AddSourceTokens"); n != 1 {
		t.Fatalf("/service-id wrote source tokens (%d writes, want still 1)", n)
	}

	// A new version of the token (metadata only: same service) is written once.
	wantStatus(t, e.do(t, req{method: "POST", path: "/token", body: body + `, "fallback-period-secs": 5}`}), http.StatusOK)
	through(e, "kit")
	through(e, "kit")
	if n := e.store.callsTo("AddSourceTokens"); n != 2 {
		t.Fatalf("a new token version: %d writes in all, want 2", n)
	}
	kit, err := e.store.GetToken("kit", false)
	if err != nil {
		t.Fatal(err)
	}
	stored, _ := e.store.SourceTokens(id)
	if len(stored) != 1 || stored[0] != (waiter.SourceToken{Name: "kit", ETag: kit.ETag}) {
		t.Fatalf("stored source tokens %v, want only kit at %s", stored, kit.ETag)
	}

	// A restarted router over the same store: what is stored is read, not
	// written again, and /apps shows it before any request.
	srv, err := New(Config{RouterID: "r2", Hostnames: []string{"waiter.example"}},
		Deps{Router: e.router, Store: e.store, Authn: headerUser{}, Entitled: NewSimple(testUser), Clock: e.clock})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(srv.Close)
	e2 := &testEdge{srv: srv, store: e.store, router: e.router, clock: e.clock}
	e2.running(t, e.router.admitted[0].Description)
	apps := decodeJSON(t, e2.do(t, req{path: "/apps/" + id, headers: map[string]string{"Accept": "application/json"}}))
	refs, _ := apps["source-tokens"].([]any)
	if len(refs) != 1 || refs[0].(map[string]any)["token"] != "kit" || refs[0].(map[string]any)["version"] != kit.ETag {
		t.Fatalf("/apps source-tokens after the restart = %v, want kit at %s", apps["source-tokens"], kit.ETag)
	}
	through(e2, "kit")
	if n := e.store.callsTo("AddSourceTokens"); n != 2 {
		t.Fatalf("the restarted router wrote a stored token version again (%d writes, want 2)", n)
	}
}
