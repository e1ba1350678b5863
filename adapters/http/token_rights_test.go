package waiterhttp

import (
	"net/http"
	"net/http/httptest"
	"testing"
)

// multiUserEdge is a router whose only admin is root; alice, bob and
// carol are ordinary users.
func multiUserEdge(t *testing.T) *testEdge {
	t.Helper()
	return newTestEdgeWith(t, NewSimple("root"))
}

// as sends r as user.
func (e *testEdge) as(t *testing.T, user string, r req) *httptest.ResponseRecorder {
	t.Helper()
	if r.headers == nil {
		r.headers = map[string]string{}
	}
	r.headers[hdrTestUser] = user
	return e.do(t, r)
}

func (e *testEdge) postToken(t *testing.T, user, body string, headers ...string) *httptest.ResponseRecorder {
	t.Helper()
	h := map[string]string{}
	for i := 0; i+1 < len(headers); i += 2 {
		h[headers[i]] = headers[i+1]
	}
	path := "/token"
	if q, ok := h["query"]; ok {
		path += "?" + q
		delete(h, "query")
	}
	return e.as(t, user, req{method: "POST", path: path, body: body, headers: h})
}

func (e *testEdge) tokenData(t *testing.T, name string) map[string]any {
	t.Helper()
	tok, err := e.store.GetToken(name, true)
	if err != nil {
		t.Fatalf("token %s: %v", name, err)
	}
	return tok.Data
}

func TestTokenOwnerAndEditor(t *testing.T) {
	e := multiUserEdge(t)
	wantStatus(t, e.postToken(t, "alice", `{"token": "shop", "cpus": 1, "editor": "bob"}`), http.StatusOK)
	if owner := e.tokenData(t, "shop")["owner"]; owner != "alice" {
		t.Fatalf("owner %v, want the creator alice", owner)
	}

	// A stranger may not edit it.
	wantError(t, e.postToken(t, "carol", `{"token": "shop", "cpus": 2, "editor": "bob"}`), http.StatusForbidden,
		"User carol not allowed to edit token shop: only its owner (alice), its editor or an admin may")

	// The editor may change what is not ownership...
	wantStatus(t, e.postToken(t, "bob", `{"token": "shop", "cpus": 2, "editor": "bob"}`), http.StatusOK)
	if d := e.tokenData(t, "shop"); d["cpus"] != 2.0 || d["owner"] != "alice" || d["last-update-user"] != "bob" {
		t.Errorf("after the editor's edit: %v, want cpus 2, owner alice, last-update-user bob", d)
	}
	// ...but not owner, editor or run-as-user, nor drop the editor.
	for _, body := range []string{
		`{"token": "shop", "cpus": 3, "editor": "bob", "owner": "bob"}`,
		`{"token": "shop", "cpus": 3, "editor": "carol"}`,
		`{"token": "shop", "cpus": 3, "editor": "bob", "run-as-user": "bob"}`,
		`{"token": "shop", "cpus": 3}`,
	} {
		wantError(t, e.postToken(t, "bob", body), http.StatusForbidden, "Not allowed to edit parameter ", "an editor may not change owner, editor or run-as-user")
	}
	if d := e.tokenData(t, "shop"); d["cpus"] != 2.0 || d["editor"] != "bob" {
		t.Errorf("a refused edit changed the token: %v", d)
	}

	// The owner may hand the token over; then it is no longer hers.
	wantStatus(t, e.postToken(t, "alice", `{"token": "shop", "cpus": 2, "owner": "carol"}`), http.StatusOK)
	wantStatus(t, e.postToken(t, "alice", `{"token": "shop", "cpus": 4}`), http.StatusForbidden)
	wantStatus(t, e.postToken(t, "carol", `{"token": "shop", "cpus": 4}`), http.StatusOK)

	// Only the owner (or an admin) deletes, and only an admin hard-deletes.
	wantError(t, e.as(t, "bob", req{method: "DELETE", path: "/token?token=shop"}), http.StatusForbidden,
		"User bob not allowed to delete token shop: only its owner (carol) or an admin may")
	wantStatus(t, e.as(t, "carol", req{method: "DELETE", path: "/token?token=shop"}), http.StatusOK)
	wantError(t, e.as(t, "carol", req{method: "DELETE", path: "/token?token=shop&hard-delete=true"}), http.StatusForbidden,
		"Cannot hard-delete token shop: hard deletes are for the router's admins, and carol is not one")

	// A soft-deleted token still belongs to its owner: nobody else takes
	// the name by writing it again.
	wantError(t, e.postToken(t, "bob", `{"token": "shop", "cpus": 1}`), http.StatusForbidden, "User bob not allowed to edit token shop")
	wantStatus(t, e.postToken(t, "carol", `{"token": "shop", "cpus": 1}`), http.StatusOK)
	if owner := e.tokenData(t, "shop")["owner"]; owner != "carol" {
		t.Errorf("owner after re-creation %v, want carol", owner)
	}
	wantStatus(t, e.as(t, "root", req{method: "DELETE", path: "/token?token=shop"}), http.StatusOK)
	wantStatus(t, e.as(t, "root", req{method: "DELETE", path: "/token?token=shop&hard-delete=true"}), http.StatusOK)
}

func TestTokenAdminRules(t *testing.T) {
	e := multiUserEdge(t)
	// Nobody but an admin creates a token owned by someone else.
	wantError(t, e.postToken(t, "alice", `{"token": "gift", "cpus": 1, "owner": "bob"}`), http.StatusForbidden,
		"Cannot create token gift as owner bob: only admins create tokens owned by someone else")
	wantStatus(t, e.as(t, "alice", req{path: "/token?token=gift"}), http.StatusNotFound)
	wantStatus(t, e.postToken(t, "root", `{"token": "gift", "cpus": 1, "owner": "bob"}`), http.StatusOK)
	if owner := e.tokenData(t, "gift")["owner"]; owner != "bob" {
		t.Errorf("owner %v, want bob", owner)
	}

	// update-mode=admin is for admins only; an admin imports a token of
	// any owner with its system metadata, If-Match for an existing one.
	imported := `{"token": "imported", "cpus": 1, "owner": "dave", "root": "elsewhere", "cluster": "elsewhere"}`
	wantError(t, e.postToken(t, "alice", imported, "query", "update-mode=admin"), http.StatusForbidden,
		"Cannot administer token imported: update-mode=admin is for the router's admins, and alice is not one")
	wantStatus(t, e.postToken(t, "root", imported, "query", "update-mode=admin"), http.StatusOK)
	if d := e.tokenData(t, "imported"); d["owner"] != "dave" || d["root"] != "elsewhere" {
		t.Errorf("imported token %v, want owner dave and root elsewhere", d)
	}
	wantError(t, e.postToken(t, "root", imported, "query", "update-mode=admin"), http.StatusBadRequest,
		"Must specify if-match header for admin mode token updates")

	// run-as-user: the writer and the owner must both be able to run as
	// it; "*" (run as each requester) needs no right.
	wantError(t, e.postToken(t, "alice", `{"token": "as-bob", "cpus": 1, "run-as-user": "bob"}`), http.StatusForbidden,
		"Cannot run as user: bob (authenticated user alice may not run as bob)")
	wantError(t, e.postToken(t, "root", `{"token": "as-bob", "cpus": 1, "run-as-user": "bob", "owner": "alice"}`),
		http.StatusForbidden, "Cannot run as user: bob (token owner alice may not run as bob)")
	wantStatus(t, e.postToken(t, "root", `{"token": "as-bob", "cpus": 1, "run-as-user": "bob", "owner": "bob"}`), http.StatusOK)
	wantStatus(t, e.postToken(t, "alice", `{"token": "anyone", "cpus": 1, "run-as-user": "*"}`), http.StatusOK)
}
