package waiterhttp

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/benbjohnson/clock"
	"github.com/waiter-go/waiter"
)

// ailingStore is a memStore whose reads of one token and whose writes
// fail as a damaged record, a full disk or a read-only store would make
// them fail, and which reports its health.
type ailingStore struct {
	*memStore
	damaged  string // token whose record is damaged
	writeErr error  // returned by every write, when set
	health   waiter.StoreHealth
}

func (s *ailingStore) GetToken(name string, includeDeleted bool) (waiter.Token, error) {
	if name == s.damaged {
		return waiter.Token{}, &waiter.CorruptRecordError{Record: fmt.Sprintf("token %q", name), Problem: "checksum mismatch (stored 0badc0de, computed 600dc0de)"}
	}
	return s.memStore.GetToken(name, includeDeleted)
}

func (s *ailingStore) PutToken(name string, data map[string]any, ifMatch, user string, now time.Time) (waiter.Token, waiter.TokenResult, error) {
	if s.writeErr != nil {
		return waiter.Token{}, "", s.writeErr
	}
	return s.memStore.PutToken(name, data, ifMatch, user, now)
}

func (s *ailingStore) PutServiceDescription(id string, core map[string]any) (bool, error) {
	if s.writeErr != nil {
		return false, s.writeErr
	}
	return s.memStore.PutServiceDescription(id, core)
}

func (s *ailingStore) StoreHealth() waiter.StoreHealth { return s.health }

func newAilingEdge(t *testing.T, s *ailingStore) *testEdge {
	t.Helper()
	e := &testEdge{store: s.memStore, router: newFakeRouter(), clock: clock.NewMock()}
	srv, err := New(Config{RouterID: "r1", Hostnames: []string{"waiter.example"}},
		Deps{Router: e.router, Store: s, Authn: headerUser{}, Entitled: NewSimple(testUser), Clock: e.clock})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(srv.Close)
	e.srv = srv
	return e
}

func errorMessage(t *testing.T, e *testEdge, r req, status int) string {
	t.Helper()
	r.headers = map[string]string{"Accept": "application/json"}
	rec := e.do(t, r)
	wantStatus(t, rec, status)
	msg, _ := decodeJSON(t, rec)["waiter-error"].(map[string]any)["message"].(string)
	return msg
}

// A damaged token is answered with a 500 naming it, on the API and on the
// proxy path, and never reaches the router.
func TestDamagedTokenIsNotServed(t *testing.T) {
	s := &ailingStore{memStore: newMemStore(), damaged: "app"}
	e := newAilingEdge(t, s)
	msg := errorMessage(t, e, req{path: "/token?token=app"}, http.StatusInternalServerError)
	if !strings.Contains(msg, `token "app"`) || !strings.Contains(msg, "corrupt record") {
		t.Fatalf("GET /token message %q does not name the token and say corrupt record", msg)
	}
	rec := e.do(t, req{path: "/hello", headers: map[string]string{"x-waiter-token": "app"}})
	wantStatus(t, rec, http.StatusInternalServerError)
	if !strings.Contains(rec.Body.String(), "corrupt record") {
		t.Fatalf("proxy answer does not say corrupt record: %s", rec.Body.String())
	}
	if len(e.router.admitted) != 0 {
		t.Fatalf("a request for the damaged token reached the router: %+v", e.router.admitted)
	}
}

// Writes the store cannot make for lack of disk, a read-only disk or an
// unreachable ZooKeeper get 507 and 503 with a message that says so.
func TestStoreWriteFailureStatuses(t *testing.T) {
	for _, c := range []struct {
		err    error
		status int
		says   string
	}{
		{fmt.Errorf("%w: put token: write waiter.db: no space left on device", waiter.ErrStoreFull), http.StatusInsufficientStorage,
			"Insufficient Storage: the token store's disk is full"},
		{fmt.Errorf("%w: put token: read-only file system", waiter.ErrStoreReadOnly), http.StatusServiceUnavailable,
			"token store is read-only"},
		{fmt.Errorf("%w: put token \"app\": ZooKeeper (127.0.0.1:2181) is unavailable: zk: connection closed", waiter.ErrStoreUnavailable),
			http.StatusServiceUnavailable, "ZooKeeper (127.0.0.1:2181) is unavailable"},
	} {
		s := &ailingStore{memStore: newMemStore(), writeErr: c.err}
		e := newAilingEdge(t, s)
		msg := errorMessage(t, e, req{method: "POST", path: "/token",
			body: `{"token": "app", "cmd": "kitchen", "cpus": 1, "mem": 64, "version": "v1"}`}, c.status)
		if !strings.Contains(msg, c.says) {
			t.Errorf("POST /token with %v: message %q does not say %q", c.err, msg, c.says)
		}
		// An on-the-fly service whose description cannot be stored is
		// refused the same way before it reaches the router.
		rec := e.do(t, req{path: "/hello", headers: kitchenHeaders()})
		wantStatus(t, rec, c.status)
		if len(e.router.admitted) != 0 {
			t.Errorf("with %v a request reached the router", c.err)
		}
	}
}

// /status shows the store's health and stays 200 while the store is
// degraded: the router serves everything else.
func TestStatusShowsStoreHealth(t *testing.T) {
	s := &ailingStore{memStore: newMemStore(), health: waiter.StoreHealth{Status: "degraded",
		CorruptRecords: []string{`token "app"`}, WriteFailure: "the token store's disk is full"}}
	e := newAilingEdge(t, s)
	rec := e.do(t, req{path: "/status"})
	wantStatus(t, rec, http.StatusOK)
	store, ok := decodeJSON(t, rec)["store"].(map[string]any)
	if !ok || store["status"] != "degraded" || store["corrupt-records"] != 1.0 ||
		fmt.Sprint(store["corrupt"]) != `[token "app"]` || store["write-failure"] != "the token store's disk is full" {
		t.Fatalf("/status store = %v", store)
	}
	s.health = waiter.StoreHealth{Status: "ok"}
	store, _ = decodeJSON(t, e.do(t, req{path: "/status"}))["store"].(map[string]any)
	if store["status"] != "ok" || store["corrupt-records"] != 0.0 || store["corrupt"] != nil {
		t.Fatalf("/status store when healthy = %v", store)
	}
	// A Store that does not report health adds nothing.
	if _, ok := decodeJSON(t, newTestEdge(t).do(t, req{path: "/status"}))["store"]; ok {
		t.Fatal("/status shows a store section for a Store without health")
	}
}
