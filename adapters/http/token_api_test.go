package waiterhttp

import (
	"net/http"
	"strings"
	"testing"
)

const kitchenToken = `{"token": "kitchen", "cmd": "kitchen -p $PORT0", "cpus": 0.1, "mem": 256, "version": "v1", "fallback-period-secs": 0}`

func TestTokenLifecycle(t *testing.T) {
	e := newTestEdge(t)

	rec := e.do(t, req{method: "POST", path: "/token", body: kitchenToken})
	wantStatus(t, rec, http.StatusOK)
	etag1 := rec.Header().Get("etag")
	if !strings.HasPrefix(etag1, "E-") || rec.Header().Get(hdrOperationResult) != "token-created" {
		t.Fatalf("create: etag %q result %q", etag1, rec.Header().Get(hdrOperationResult))
	}
	if msg := decodeJSON(t, rec)["message"]; msg != "Successfully created kitchen" {
		t.Errorf("create message %v", msg)
	}

	rec = e.do(t, req{path: "/token?token=kitchen"})
	wantStatus(t, rec, http.StatusOK)
	got := decodeJSON(t, rec)
	if rec.Header().Get("etag") != etag1 || got["cmd"] != "kitchen -p $PORT0" || got["owner"] != testUser {
		t.Errorf("GET: etag %q body %v", rec.Header().Get("etag"), got)
	}
	if _, ok := got["last-update-time"]; ok {
		t.Errorf("system metadata shown without include=metadata: %v", got)
	}
	rec = e.do(t, req{path: "/token?include=metadata", headers: map[string]string{"x-waiter-token": "kitchen"}})
	if got := decodeJSON(t, rec); got["last-update-user"] != testUser || got["last-update-time"] == nil {
		t.Errorf("GET include=metadata: %v", got)
	}

	// The same data again changes nothing.
	rec = e.do(t, req{method: "POST", path: "/token", body: kitchenToken})
	wantStatus(t, rec, http.StatusOK)
	if rec.Header().Get(hdrOperationResult) != "token-no-op" || rec.Header().Get("etag") != etag1 {
		t.Errorf("no-op: result %q etag %q", rec.Header().Get(hdrOperationResult), rec.Header().Get("etag"))
	}

	// An update with the current etag succeeds and moves the etag.
	updated := strings.Replace(kitchenToken, `"v1"`, `"v2"`, 1)
	rec = e.do(t, req{method: "POST", path: "/token", body: updated, headers: map[string]string{"If-Match": etag1}})
	wantStatus(t, rec, http.StatusOK)
	etag2 := rec.Header().Get("etag")
	if rec.Header().Get(hdrOperationResult) != "token-updated" || etag2 == etag1 {
		t.Errorf("update: result %q etag %q (was %q)", rec.Header().Get(hdrOperationResult), etag2, etag1)
	}

	// A stale If-Match is refused.
	rec = e.do(t, req{method: "POST", path: "/token", body: kitchenToken, headers: map[string]string{"If-Match": etag1}})
	wantStatus(t, rec, http.StatusPreconditionFailed)
	if !strings.Contains(rec.Body.String(), "Cannot modify stale token") {
		t.Errorf("412 body: %s", rec.Body.String())
	}

	// include=metadata shows the previous version.
	rec = e.do(t, req{path: "/token?token=kitchen&include=metadata"})
	if prev, _ := decodeJSON(t, rec)["previous"].(map[string]any); prev["version"] != "v1" {
		t.Errorf("previous = %v, want the v1 version", prev)
	}

	// Soft delete: gone for GET, visible with include=deleted.
	rec = e.do(t, req{method: "DELETE", path: "/token?token=kitchen"})
	wantStatus(t, rec, http.StatusOK)
	if rec.Header().Get(hdrOperationResult) != "token-deleted" {
		t.Errorf("delete result %q", rec.Header().Get(hdrOperationResult))
	}
	if got := decodeJSON(t, rec); got["delete"] != "kitchen" || got["hard-delete"] != false || got["success"] != true {
		t.Errorf("delete body %v", got)
	}
	wantStatus(t, e.do(t, req{path: "/token?token=kitchen"}), http.StatusNotFound)
	rec = e.do(t, req{path: "/token?token=kitchen&include=deleted&include=metadata"})
	wantStatus(t, rec, http.StatusOK)
	if decodeJSON(t, rec)["deleted"] != true {
		t.Errorf("soft-deleted token lacks deleted=true")
	}
	// Soft-deleting again is 404; a soft-deleted token hard-deletes without If-Match.
	wantStatus(t, e.do(t, req{method: "DELETE", path: "/token?token=kitchen"}), http.StatusNotFound)
	rec = e.do(t, req{method: "DELETE", path: "/token?token=kitchen&hard-delete=true"})
	wantStatus(t, rec, http.StatusOK)
	wantStatus(t, e.do(t, req{path: "/token?token=kitchen&include=deleted"}), http.StatusNotFound)
}

// GET and DELETE /token find the token by Host too, as Waiter's clients
// name it; system metadata carries the cluster and the root cluster, and a
// token without history shows an empty previous.
func TestTokenByHostWithClusterMetadata(t *testing.T) {
	e := newTestEdge(t)
	wantStatus(t, e.do(t, req{method: "POST", path: "/token", body: `{"token": "svc.example.org", "cpus": 1}`}), 200)
	rec := e.do(t, req{path: "/token?include=metadata", host: "svc.example.org"})
	wantStatus(t, rec, http.StatusOK)
	got := decodeJSON(t, rec)
	if got["cluster"] != "r1" || got["root"] != "r1" || got["cpus"] != 1.0 {
		t.Errorf("GET by Host = %v, want cpus 1, cluster and root r1", got)
	}
	if prev, ok := got["previous"].(map[string]any); !ok || len(prev) != 0 {
		t.Errorf("previous = %v, want {}", got["previous"])
	}
	wantStatus(t, e.do(t, req{method: "DELETE", path: "/token", host: "svc.example.org"}), http.StatusOK)
	wantStatus(t, e.do(t, req{path: "/token", host: "svc.example.org"}), http.StatusNotFound)
	// The router's own host names no token.
	wantStatus(t, e.do(t, req{path: "/token"}), http.StatusBadRequest)
}

func TestTokenHardDeleteNeedsIfMatch(t *testing.T) {
	e := newTestEdge(t)
	rec := e.do(t, req{method: "POST", path: "/token", body: kitchenToken})
	etag := rec.Header().Get("etag")
	rec = e.do(t, req{method: "DELETE", path: "/token?token=kitchen&hard-delete=true"})
	wantStatus(t, rec, http.StatusBadRequest)
	if !strings.Contains(rec.Body.String(), "if-match") {
		t.Errorf("body %s", rec.Body.String())
	}
	wantStatus(t, e.do(t, req{method: "DELETE", path: "/token?token=kitchen&hard-delete=true",
		headers: map[string]string{"If-Match": "E-stale"}}), http.StatusPreconditionFailed)
	wantStatus(t, e.do(t, req{method: "DELETE", path: "/token?token=kitchen&hard-delete=true",
		headers: map[string]string{"If-Match": etag}}), http.StatusOK)
	wantStatus(t, e.do(t, req{method: "DELETE", path: "/token?token=kitchen"}), http.StatusNotFound)
}

func TestTokenValidation(t *testing.T) {
	e := newTestEdgeWith(t, NewSimple("root")) // alice is an ordinary user
	cases := []struct {
		name, path, body string
		status           int
		want             []string
	}{
		{"no name", "/token", `{"cpus": 1}`, 400, []string{"Must provide the token"}},
		{"bad name", "/token", `{"token": "-bad", "cpus": 1}`, 400, []string{"Token must match pattern"}},
		{"router hostname", "/token", `{"token": "waiter.example", "cpus": 1}`, 403, []string{"reserved"}},
		{"unknown keys", "/token", `{"token": "t1", "cpus": 1, "colour": "red", "zz": 1}`, 400, []string{"Unsupported key(s) in token: colour, zz"}},
		{"system keys", "/token", `{"token": "t1", "cpus": 1, "last-update-time": 5}`, 400, []string{"system metadata", "last-update-time"}},
		{"every bad field at once", "/token", `{"token": "t1", "cpus": "x", "max-instances": 0, "fallback-period-secs": -1, "maintenance": {"message": ""}}`,
			400, []string{"cpus:", "max-instances:", "fallback-period-secs:", "maintenance:"}},
		{"run as someone else", "/token", `{"token": "t1", "run-as-user": "bob"}`, 403, []string{"bob"}},
		{"not JSON", "/token", `{"token": `, 400, []string{"Malformed JSON"}},
		{"name from query", "/token?token=q1", `{"cpus": 1}`, 200, []string{"Successfully created q1"}},
		{"no parameters", "/token", `{"token": "t3"}`, 400, []string{"No parameters provided for t3"}},
		{"partial token is fine", "/token", `{"token": "t2", "mem": 128, "idle-timeout-mins": 0}`, 200, []string{"Successfully created t2"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			rec := e.do(t, req{method: "POST", path: tc.path, body: tc.body})
			wantStatus(t, rec, tc.status)
			for _, w := range tc.want {
				if !strings.Contains(rec.Body.String(), w) {
					t.Errorf("body lacks %q:\n%s", w, rec.Body.String())
				}
			}
		})
	}
}

func TestTokensList(t *testing.T) {
	e := newTestEdgeWith(t, NewSimple("root")) // alice is an ordinary user
	for _, body := range []string{
		`{"token": "a1", "cpus": 1}`,
		`{"token": "b1", "cpus": 1, "maintenance": {"message": "down"}}`,
		`{"token": "c1", "cpus": 1}`,
	} {
		wantStatus(t, e.do(t, req{method: "POST", path: "/token", body: body}), 200)
	}
	// A token owned by someone else, written straight to the store.
	if _, _, err := e.store.PutToken("z1", map[string]any{"cpus": 1.0, "owner": "bob"}, "", "bob", e.clock.Now()); err != nil {
		t.Fatal(err)
	}
	wantStatus(t, e.do(t, req{method: "DELETE", path: "/token?token=c1"}), 200)

	list := decodeList(t, e.do(t, req{path: "/tokens"}))
	if len(list) != 3 || list[0]["token"] != "a1" || list[1]["maintenance"] != true {
		t.Errorf("/tokens = %v", list)
	}
	list = decodeList(t, e.do(t, req{path: "/tokens?owner=" + testUser}))
	if len(list) != 2 {
		t.Errorf("/tokens?owner=%s = %v", testUser, list)
	}
	list = decodeList(t, e.do(t, req{path: "/tokens?owner=bob"}))
	if len(list) != 1 || list[0]["token"] != "z1" {
		t.Errorf("/tokens?owner=bob = %v", list)
	}
	list = decodeList(t, e.do(t, req{path: "/tokens?include=deleted"}))
	if len(list) != 4 || list[2]["deleted"] != true {
		t.Errorf("/tokens?include=deleted = %v", list)
	}
	// Someone else's token cannot be edited or deleted by alice.
	wantStatus(t, e.do(t, req{method: "POST", path: "/token", body: `{"token": "z1", "cpus": 2}`}), http.StatusForbidden)
}
