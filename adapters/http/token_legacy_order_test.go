package waiterhttp

import (
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/benbjohnson/clock"

	"github.com/waiter-go/waiter/adapters/bolt"
)

// A token stored before key orders were kept (a real bolt store, written
// without an order) keeps the service id it had, computed with sorted env
// keys, until it is written again; posting it again in sorted order is no
// change (same ETag, same id); posting it in another order records that
// order and, as in Waiter, gives the id of that order (api_token.go).
func TestTokenWithoutKeyOrderKeepsItsServiceID(t *testing.T) {
	st, err := bolt.Open(filepath.Join(t.TempDir(), "waiter.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = st.Close() })
	clk := clock.NewMock()
	clk.Set(time.Date(2024, 5, 1, 12, 0, 0, 0, time.UTC))
	srv, err := New(Config{RouterID: "r1", Cluster: "c1", Hostnames: []string{"waiter.example"}},
		Deps{Router: newFakeRouter(), Store: st, Authn: headerUser{}, Entitled: NewSimple(testUser), Clock: clk})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(srv.Close)
	e := &testEdge{srv: srv, router: newFakeRouter(), clock: clk}

	base := `"cmd": "kitchen -p $PORT0", "cpus": 0.1, "mem": 256, "version": "v1", "run-as-user": "alice", "permitted-user": "*"`
	legacy := map[string]any{"cmd": "kitchen -p $PORT0", "cpus": 0.1, "mem": 256.0, "version": "v1",
		"run-as-user": "alice", "permitted-user": "*", "env": map[string]any{"ZETA": "1", "ALPHA": "2"},
		"owner": testUser, "cluster": "c1", "root": "c1"}
	old, _, err := st.PutToken("app", legacy, "", testUser, clk.Now()) // no order: as stored before
	if err != nil || old.KeyOrder != nil {
		t.Fatalf("legacy put: %+v, %v", old, err)
	}
	idOf := func(token string) string {
		t.Helper()
		rec := e.do(t, req{path: "/service-id", headers: map[string]string{"x-waiter-token": token}})
		wantStatus(t, rec, http.StatusOK)
		return strings.TrimSpace(rec.Body.String())
	}
	post := func(body, wantResult string) string {
		t.Helper()
		rec := e.do(t, req{method: http.MethodPost, path: "/token", body: body})
		wantStatus(t, rec, http.StatusOK)
		if got := rec.Header().Get(hdrOperationResult); got != wantResult {
			t.Errorf("POST %s: %s, want %s", body, got, wantResult)
		}
		return rec.Header().Get("etag")
	}

	// The same description posted in sorted order under another name is
	// the id the legacy token's service runs under.
	post(`{"token": "sorted", `+base+`, "env": {"ALPHA": "2", "ZETA": "1"}}`, "token-created")
	post(`{"token": "zeta-first", `+base+`, "env": {"ZETA": "1", "ALPHA": "2"}}`, "token-created")
	sortedID, zetaID := idOf("sorted"), idOf("zeta-first")
	if sortedID == zetaID {
		t.Fatalf("the order does not change the id (%s): the test proves nothing", sortedID)
	}
	if id := idOf("app"); id != sortedID {
		t.Fatalf("legacy token's id %s, want the sorted-keys id %s", id, sortedID)
	}

	// Posted again in sorted order: nothing changes.
	if etag := post(`{"token": "app", `+base+`, "env": {"ALPHA": "2", "ZETA": "1"}}`, "token-no-op"); etag != old.ETag {
		t.Errorf("ETag %s after a sorted re-post, want %s", etag, old.ETag)
	}
	if id := idOf("app"); id != sortedID {
		t.Errorf("id %s after a sorted re-post, want %s", id, sortedID)
	}

	// Posted in another order: a new version, its order kept, Waiter's id.
	if etag := post(`{"token": "app", `+base+`, "env": {"ZETA": "1", "ALPHA": "2"}}`, "token-updated"); etag == old.ETag {
		t.Error("re-post in another order kept the ETag")
	}
	if id := idOf("app"); id != zetaID {
		t.Errorf("id %s after posting ZETA first, want %s", id, zetaID)
	}
	rec := e.do(t, req{path: "/token?token=app"})
	if body := rec.Body.String(); strings.Index(body, `"ZETA"`) > strings.Index(body, `"ALPHA"`) {
		t.Errorf("GET renders %s, want env in the posted order", body)
	}
	if tok, err := st.GetToken("app", false); err != nil || len(tok.KeyOrder["env"]) != 2 {
		t.Errorf("stored order %v, %v", tok.KeyOrder, err)
	}
}
