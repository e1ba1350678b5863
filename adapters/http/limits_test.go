package waiterhttp

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/benbjohnson/clock"
	"github.com/waiter-go/waiter"
	"github.com/waiter-go/waiter/engine"
)

// Token names are bounded before the store sees them: a 400 naming the
// field, never the store's 500 for a key it cannot hold.
func TestTokenNameLimits(t *testing.T) {
	e := newTestEdge(t)
	long := "t" + strings.Repeat("x", engine.MaxTokenNameLength)
	huge := "t" + strings.Repeat("x", 40000)
	for _, name := range []string{long, huge} {
		body := `{"token": "` + name + `", "cmd": "k", "cpus": 1, "mem": 64, "version": "v"}`
		rec := e.do(t, req{method: "POST", path: "/token", body: body})
		wantStatus(t, rec, http.StatusBadRequest)
		if !strings.Contains(rec.Body.String(), "Token name must be at most 255 characters") {
			t.Errorf("POST: body does not name the limit:\n%.300s", rec.Body.String())
		}
		for _, method := range []string{"GET", "DELETE"} {
			rec = e.do(t, req{method: method, path: "/token?token=" + name})
			wantStatus(t, rec, http.StatusBadRequest)
			if !strings.Contains(rec.Body.String(), "Token name must be at most 255 characters") {
				t.Errorf("%s: body does not name the limit:\n%.300s", method, rec.Body.String())
			}
		}
	}
	if n := len(e.store.tokens); n != 0 {
		t.Errorf("%d tokens stored", n)
	}
	// Waiter's answers for names that merely break the pattern stay.
	rec := e.do(t, req{path: "/token?token=bad%23token"})
	wantStatus(t, rec, http.StatusNotFound)
	rec = e.do(t, req{method: "POST", path: "/token", body: `{"token": "bad#token", "cmd": "k"}`})
	wantStatus(t, rec, http.StatusBadRequest)
	if !strings.Contains(rec.Body.String(), "Token must match pattern") {
		t.Errorf("pattern message lost:\n%s", rec.Body.String())
	}
}

// Waiter's :token-config :limit-per-owner: an owner with the limit of
// live tokens gets 403 for one more; updates, soft-deleted tokens and
// admin mode do not count against it.
func TestTokensPerOwnerLimit(t *testing.T) {
	e := newTestEdge(t, func(c *Config) { c.MaxTokensPerOwner = 3 })
	post := func(name, extra string) *httptest.ResponseRecorder {
		return e.do(t, req{method: "POST", path: "/token" + extra,
			body: `{"token": "` + name + `", "cmd": "k", "cpus": 1, "mem": 64, "version": "v` + name + `"}`})
	}
	for _, name := range []string{"t1", "t2", "t3"} {
		wantStatus(t, post(name, ""), http.StatusOK)
	}
	rec := post("t4", "")
	wantStatus(t, rec, http.StatusForbidden)
	body := decodeJSON(t, e.do(t, req{method: "POST", path: "/token", headers: map[string]string{"Accept": "application/json"},
		body: `{"token": "t4", "cmd": "k", "cpus": 1, "mem": 64, "version": "v"}`}))["waiter-error"].(map[string]any)
	if !strings.Contains(body["message"].(string), "You have reached the limit of number of tokens allowed") {
		t.Errorf("message %q", body["message"])
	}
	if d := body["details"].(map[string]any); d["allowed-owned-tokens"] != 3.0 || d["num-owned-tokens"] != 3.0 || d["owner"] != testUser {
		t.Errorf("details %v", d)
	}
	if _, err := e.store.GetToken("t4", true); err == nil {
		t.Error("the refused token was stored")
	}

	// Updating a token the owner has is not one more token.
	wantStatus(t, e.do(t, req{method: "POST", path: "/token",
		body: `{"token": "t2", "cmd": "k2", "cpus": 1, "mem": 64, "version": "v"}`}), http.StatusOK)
	// Admin mode skips the limit (Waiter's token syncer).
	wantStatus(t, post("t5", "?update-mode=admin"), http.StatusOK)
	// A soft-deleted token no longer counts.
	wantStatus(t, e.do(t, req{method: "DELETE", path: "/token?token=t1"}), http.StatusOK)
	wantStatus(t, e.do(t, req{method: "DELETE", path: "/token?token=t5"}), http.StatusOK)
	wantStatus(t, post("t6", ""), http.StatusOK)
}

// API bodies are bounded: 413 naming the limit, whether the client
// announces the length or streams the body chunked.
func TestAPIBodyLimit(t *testing.T) {
	e := newTestEdge(t, func(c *Config) { c.MaxAPIBodyBytes = 100 })
	big := `{"token": "big", "cmd": "` + strings.Repeat("k", 200) + `"}`
	rec := e.do(t, req{method: "POST", path: "/token", body: big})
	wantStatus(t, rec, http.StatusRequestEntityTooLarge)
	if !strings.Contains(rec.Body.String(), "Request body exceeds the limit of 100 bytes") {
		t.Errorf("413 body does not name the limit:\n%s", rec.Body.String())
	}
	hr := httptest.NewRequest("POST", "/token", io.MultiReader(strings.NewReader(big)))
	hr.ContentLength = -1 // chunked: the length is only known by reading
	hr.Host = "127.0.0.1"
	hr.Header.Set("Content-Type", "application/json")
	w := httptest.NewRecorder()
	e.srv.ServeHTTP(w, hr)
	wantStatus(t, w, http.StatusRequestEntityTooLarge)
	if !strings.Contains(w.Body.String(), "Request body exceeds the limit of 100 bytes") {
		t.Errorf("chunked 413 body does not name the limit:\n%s", w.Body.String())
	}
	if n := len(e.store.tokens); n != 0 {
		t.Errorf("%d tokens stored", n)
	}
}

// socketEdge serves a Server with the real clock on a loopback port: the
// socket deadlines these tests check are the kernel's, on wall time.
func socketEdge(t *testing.T, mutate func(*Config)) (*Server, *fakeRouter, string) {
	t.Helper()
	router := newFakeRouter()
	cfg := Config{RouterID: "r1"}
	mutate(&cfg)
	srv, err := New(cfg, Deps{Router: router, Store: newMemStore(), Authn: OneUser{User: testUser},
		Entitled: NewSimple(testUser), Clock: clock.New()})
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(srv)
	t.Cleanup(func() { ts.Close(); srv.Close() })
	return srv, router, ts.Listener.Addr().String()
}

// rawExchange writes head and a partial body, then stalls; it returns the
// response's status line, its body, whether the server closed the
// connection after it, and how long the answer took.
func rawExchange(t *testing.T, addr, head, partial string) (string, string, bool, time.Duration) {
	t.Helper()
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	start := time.Now()
	if _, err := io.WriteString(conn, head+partial); err != nil {
		t.Fatal(err)
	}
	// The deadline bounds the test, not the server: a server that never
	// answers fails here instead of hanging.
	_ = conn.SetReadDeadline(time.Now().Add(10 * time.Second))
	br := bufio.NewReader(conn)
	resp, err := http.ReadResponse(br, nil)
	if err != nil {
		t.Fatalf("no response: %v", err)
	}
	took := time.Since(start)
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	_, err = br.ReadByte()
	closed := err == io.EOF
	return resp.Status, string(body), closed, took
}

// A client that stops sending an API body gets 408 once the body timeout
// passes, and its connection is closed.
func TestStalledAPIBodyIsClosed(t *testing.T) {
	_, _, addr := socketEdge(t, func(c *Config) { c.APIBodyTimeout = 300 * time.Millisecond })
	status, body, closed, took := rawExchange(t, addr,
		"POST /token HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n", `{"token": `)
	if !strings.HasPrefix(status, "408") || !strings.Contains(body, "api-body-timeout 300ms") {
		t.Errorf("status %q body:\n%s", status, body)
	}
	if !closed {
		t.Error("the connection stayed open")
	}
	if took < 300*time.Millisecond {
		t.Errorf("answered after %v, before the body timeout", took)
	}
}

// A proxied request refused before it reaches an instance (here an invalid
// description) is answered even though its client stalls mid-body, and
// the connection is closed instead of waiting for the rest of the body.
func TestStalledBodyOfRefusedProxyRequest(t *testing.T) {
	_, _, addr := socketEdge(t, func(c *Config) {})
	status, body, closed, _ := rawExchange(t, addr,
		"POST /upload HTTP/1.1\r\nHost: svc.example\r\nx-waiter-cmd: k\r\nx-waiter-cpus: lots\r\nContent-Length: 100000\r\n\r\n", "partial")
	if !strings.HasPrefix(status, "400") || !strings.Contains(body, "cpus") {
		t.Errorf("status %q body:\n%s", status, body)
	}
	if !closed {
		t.Error("the connection stayed open waiting for the rest of the body")
	}
}

// The write deadline an API response gets ends with it: a proxied
// response on the same keep-alive connection streams for longer than the
// API write timeout.
func TestAPIWriteDeadlineEndsWithTheResponse(t *testing.T) {
	_, router, addr := socketEdge(t, func(c *Config) { c.APIWriteTimeout = 200 * time.Millisecond })
	backend := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		for i := range 6 {
			_, _ = fmt.Fprintf(w, "chunk %d\n", i)
			w.(http.Flusher).Flush()
			time.Sleep(100 * time.Millisecond) // the backend is slow on purpose: this is what is streamed
		}
	}))
	t.Cleanup(backend.Close)
	host, portStr, _ := net.SplitHostPort(backend.Listener.Addr().String())
	port, _ := strconv.Atoi(portStr)
	router.admit = func(a waiter.Admission) (waiter.Grant, error) {
		return waiter.Grant{Request: 1, Service: a.Description.ID, Instance: "i1", Host: host, Port: port}, nil
	}
	client := &http.Client{Transport: &http.Transport{MaxConnsPerHost: 1}}
	t.Cleanup(client.CloseIdleConnections)
	resp, err := client.Get("http://" + addr + "/status")
	if err != nil {
		t.Fatal(err)
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	hreq, _ := http.NewRequest("GET", "http://"+addr+"/stream", nil)
	for k, v := range kitchenHeaders() {
		hreq.Header.Set(k, v)
	}
	resp, err = client.Do(hreq)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil || !strings.Contains(string(b), "chunk 5") {
		t.Errorf("streamed response cut: %v\n%s", err, b)
	}
}

// Resolving services stores nothing (the router stores a description when
// it starts the service), and the caches resolving fills stay within
// their sizes however many distinct services are named.
func TestResolvingIsBounded(t *testing.T) {
	e := newTestEdge(t, func(c *Config) { c.DescriptionCacheSize = 50; c.ServiceCacheSize = 30 })
	for i := range 500 {
		rec := e.do(t, req{path: "/service-id", headers: kitchenHeaders("x-waiter-version", fmt.Sprint("v", i))})
		wantStatus(t, rec, http.StatusOK)
	}
	if n := len(e.store.services); n != 0 {
		t.Errorf("/service-id stored %d descriptions", n)
	}
	if n := e.srv.descs.len(); n > 50 {
		t.Errorf("description cache holds %d, past its size 50", n)
	}
	if n := e.srv.services.len(); n != 30 {
		t.Errorf("service cache holds %d, want its size 30", n)
	}
	// Its entries are the most recently used; one read again is kept.
	id := describe(t, "x-waiter-version", "v499").ID
	if e.srv.services.recs[id] == nil {
		t.Error("the most recent service was evicted")
	}
	// A service named by /service-id and never started is still found,
	// as Waiter finds it in its store (test-basic-service-validation-...).
	rec := e.do(t, req{path: "/apps/" + id})
	wantStatus(t, rec, http.StatusOK)
	if app := decodeJSON(t, rec); app["status"] != "Inactive" || app["service-description"].(map[string]any)["version"] != "v499" {
		t.Errorf("/apps/%s: %v", id, app)
	}
	evicted := describe(t, "x-waiter-version", "v0").ID
	wantStatus(t, e.do(t, req{path: "/apps/" + evicted}), http.StatusNotFound)
	e.srv.ForgetService(id)
	if e.srv.services.recs[id] != nil || e.srv.services.len() != 29 {
		t.Error("ForgetService kept the record")
	}
	// The sizes are on /metrics.
	body := e.do(t, req{path: "/metrics"}).Body.String()
	for _, want := range []string{`waiter_cache_entries{cache="services"} 29`, `waiter_cache_entries{cache="descriptions"}`} {
		if !strings.Contains(body, want) {
			t.Errorf("/metrics lacks %s", want)
		}
	}
}

// checkingRouter is the fake router with the production driver's
// CheckCreate: every service but the allowed ones is one too many.
type checkingRouter struct {
	*fakeRouter
	allowed map[string]bool
}

func (c checkingRouter) CheckCreate(d *engine.Description) error {
	if c.allowed[d.ID] {
		return nil
	}
	return &engine.Error{Code: engine.CodeTooMany, Reason: engine.ReasonUserServiceLimit, Message: "too many services"}
}

// A proxied request stores its service's description once, before the
// router starts it; a request the router would refuse for a per-user
// limit is refused with 429 before anything is stored.
func TestDescriptionStoredBeforeStart(t *testing.T) {
	e := newTestEdge(t)
	allowed := describe(t, "x-waiter-version", "allowed")
	router := checkingRouter{fakeRouter: e.router, allowed: map[string]bool{allowed.ID: true}}
	srv, err := New(Config{RouterID: "r1"}, Deps{Router: router, Store: e.store, Authn: headerUser{},
		Entitled: NewSimple(testUser), Clock: e.clock})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(srv.Close)
	e.srv = srv
	e.backend(t, func(w http.ResponseWriter, r *http.Request) { _, _ = w.Write([]byte("ok")) })
	for range 2 {
		wantStatus(t, e.do(t, req{path: "/hi", headers: kitchenHeaders("x-waiter-version", "allowed")}), http.StatusOK)
	}
	if _, ok := e.store.services[allowed.ID]; !ok || len(e.store.services) != 1 {
		t.Errorf("stored %v, want the started service", e.store.services)
	}
	rec := e.do(t, req{path: "/hi", headers: kitchenHeaders("x-waiter-version", "refused")})
	wantStatus(t, rec, http.StatusTooManyRequests)
	if len(e.store.services) != 1 || len(e.router.admitted) != 2 {
		t.Errorf("a refused service was stored (%d) or admitted (%d)", len(e.store.services), len(e.router.admitted))
	}
}
