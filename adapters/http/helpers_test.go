package waiterhttp

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/benbjohnson/clock"
	"github.com/waiter-go/waiter/engine"
)

// testEdge is a Server over fakes, with a mock clock so nothing depends on
// real time.
type testEdge struct {
	srv    *Server
	store  *memStore
	router *fakeRouter
	clock  *clock.Mock
}

const testUser = "alice"

// hdrTestUser names the caller of a test request; without it the caller
// is testUser.
const hdrTestUser = "x-test-user"

var canonTestUser = http.CanonicalHeaderKey(hdrTestUser)

// headerUser is a test Authenticator: the caller is whoever hdrTestUser
// names, else testUser (a one-user router's only user).
type headerUser struct{}

func (headerUser) Authenticate(r *http.Request) (Principal, error) {
	// By its canonical name: Header.Get would canonicalize hdrTestUser,
	// an allocation the allocation tests would count as the router's.
	if u := r.Header[canonTestUser]; len(u) > 0 && u[0] != "" {
		return Principal{User: u[0], Method: "test-header"}, nil
	}
	return Principal{User: testUser, Method: "test-header"}, nil
}

// newTestEdge is an edge whose default caller, testUser, is its only
// admin: a one-user router as `waiter serve` runs with no configuration.
func newTestEdge(t *testing.T, mutate ...func(*Config)) *testEdge {
	t.Helper()
	return newTestEdgeWith(t, NewSimple(testUser), mutate...)
}

// newTestEdgeWith is an edge with the given entitlements.
func newTestEdgeWith(t *testing.T, ent Entitlements, mutate ...func(*Config)) *testEdge {
	t.Helper()
	e := &testEdge{store: newMemStore(), router: newFakeRouter(), clock: clock.NewMock()}
	e.clock.Set(time.Date(2024, 5, 1, 12, 0, 0, 0, time.UTC))
	cfg := Config{RouterID: "r1", Hostnames: []string{"waiter.example"}}
	for _, m := range mutate {
		m(&cfg)
	}
	srv, err := New(cfg, Deps{Router: e.router, Store: e.store, Authn: headerUser{}, Entitled: ent, Clock: e.clock})
	if err != nil {
		t.Fatal(err)
	}
	e.srv = srv
	t.Cleanup(srv.Close)
	return e
}

// req describes one request to the edge. A body is sent as JSON, as
// Waiter's clients send it, unless headers name another Content-Type or
// bareBody is set.
type req struct {
	method, path, body string
	host               string
	headers            map[string]string
	bareBody           bool
}

func (e *testEdge) do(t *testing.T, r req) *httptest.ResponseRecorder {
	t.Helper()
	if r.method == "" {
		r.method = http.MethodGet
	}
	var body io.Reader
	if r.body != "" {
		body = strings.NewReader(r.body)
	}
	hr := httptest.NewRequest(r.method, r.path, body)
	hr.Host = r.host
	if hr.Host == "" {
		hr.Host = "127.0.0.1:9091"
	}
	if r.body != "" && !r.bareBody {
		hr.Header.Set("Content-Type", "application/json")
	}
	for k, v := range r.headers {
		hr.Header.Set(k, v)
	}
	rec := httptest.NewRecorder()
	e.srv.ServeHTTP(rec, hr)
	return rec
}

func decodeJSON(t *testing.T, rec *httptest.ResponseRecorder) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(rec.Body.Bytes(), &m); err != nil {
		t.Fatalf("body is not a JSON object: %v\n%s", err, rec.Body.String())
	}
	return m
}

func decodeList(t *testing.T, rec *httptest.ResponseRecorder) []map[string]any {
	t.Helper()
	var l []map[string]any
	if err := json.Unmarshal(rec.Body.Bytes(), &l); err != nil {
		t.Fatalf("body is not a JSON list: %v\n%s", err, rec.Body.String())
	}
	return l
}

func wantStatus(t *testing.T, rec *httptest.ResponseRecorder, status int) {
	t.Helper()
	if rec.Code != status {
		t.Fatalf("status %d, want %d; body:\n%s", rec.Code, status, rec.Body.String())
	}
}

// kitchenHeaders describe a valid on-the-fly service.
func kitchenHeaders(extra ...string) map[string]string {
	h := map[string]string{
		"x-waiter-cmd": "kitchen -p $PORT0", "x-waiter-cpus": "0.1", "x-waiter-mem": "256",
		"x-waiter-version": "v1",
	}
	for i := 0; i+1 < len(extra); i += 2 {
		h[extra[i]] = extra[i+1]
	}
	return h
}

// describe builds the description kitchenHeaders resolve to for testUser.
func describe(t *testing.T, extra ...string) *engine.Description {
	t.Helper()
	h := http.Header{}
	for k, v := range kitchenHeaders(extra...) {
		h.Set(k, v)
	}
	hp, err := engine.ParseHeaders(h)
	if err != nil {
		t.Fatal(err)
	}
	d, err := engine.ResolveDescription(engine.Source{Headers: hp, Requester: testUser}, engine.DescriptionOptions{})
	if err != nil {
		t.Fatal(err)
	}
	return d
}
