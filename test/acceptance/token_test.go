package acceptance

import (
	"net/http"
	"reflect"
	"strings"
	"testing"
)

// Port of token_request_test.clj's token create/update/delete (etags, history,
// soft and hard deletes) and the helpers of the token tests.

// tokenName is Waiter's create-token-name: a unique name that also reads
// as a host name.
func tokenName(t testing.TB) string { return randName(t) + ".localtest.me" }

// tokenBody decodes a GET /token answer.
func tokenBody(t testing.TB, r response) map[string]any {
	t.Helper()
	expectStatus(t, r, http.StatusOK)
	var m map[string]any
	r.json(t, &m)
	return m
}

// test-token-create-delete (with the etag checks of
// test-token-administer-unaffected-by-run-as-user-permissions).
func TestTokenCreateUpdateDelete(t *testing.T) {
	t.Parallel()
	rt := sharedRouter(t)
	user := currentUser(t)
	prefix := randName(t)

	t.Run("creating a token without parameters fails", func(t *testing.T) {
		token := prefix + ".empty"
		r := rt.postToken(t, map[string]any{"token": token}, nil, "")
		expectStatus(t, r, http.StatusBadRequest)
		expectBody(t, r, "No parameters provided for "+token)
	})
	t.Run("a token with only metadata", func(t *testing.T) {
		for _, c := range []struct {
			key   string
			value any
		}{{"fallback-period-secs", 60.0}, {"https-redirect", true}} {
			token := prefix + "." + c.key
			r := rt.postToken(t, map[string]any{c.key: c.value, "token": token}, nil, "")
			expectStatus(t, r, http.StatusOK)
			expectBody(t, r, "Successfully created "+token)
			want := map[string]any{c.key: c.value, "owner": user}
			if got := tokenBody(t, rt.getToken(token, "")); !reflect.DeepEqual(got, want) {
				t.Errorf("GET /token %s = %v, want %v", token, got, want)
			}
			rt.deleteToken(t, token)
		}
	})

	tokens := []string{"token0." + tokenName(t), "token1." + tokenName(t), "token2." + tokenName(t)}
	for _, token := range tokens {
		rt.cleanupToken(t, token)
		r := rt.postToken(t, map[string]any{"health-check-url": "/check", "name": prefix, "token": token}, nil, "")
		expectStatus(t, r, http.StatusOK)
		expectBody(t, r, "Successfully created "+token)
		if r.Header.Get("etag") == "" || r.Header.Get("x-waiter-operation-result") != "token-created" {
			t.Errorf("create %s: etag %q, x-waiter-operation-result %q, want an etag and token-created", token,
				r.Header.Get("etag"), r.Header.Get("x-waiter-operation-result"))
		}
	}
	t.Run("update without etags", func(t *testing.T) {
		for _, token := range tokens {
			r := rt.postToken(t, map[string]any{"health-check-url": "/health", "name": prefix, "token": token}, nil, "")
			expectStatus(t, r, http.StatusOK)
			expectBody(t, r, "Successfully updated "+token)
			if got := r.Header.Get("x-waiter-operation-result"); got != "token-updated" {
				t.Errorf("x-waiter-operation-result = %q, want token-updated", got)
			}
		}
	})
	t.Run("update with etags", func(t *testing.T) {
		for _, token := range tokens {
			cur := rt.getToken(token, "")
			etag := cur.Header.Get("etag")
			body := tokenBody(t, cur)
			r := rt.postToken(t, map[string]any{"name": body["name"], "health-check-url": "/probe", "token": token},
				map[string]string{"if-match": etag}, "")
			expectStatus(t, r, http.StatusOK)
			expectBody(t, r, "Successfully updated "+token)
			if r.Header.Get("etag") == etag {
				t.Errorf("the etag did not change with the token: %s", etag)
			}
		}
	})
	t.Run("update with a stale etag", func(t *testing.T) {
		r := rt.postToken(t, map[string]any{"health-check-url": "/probe-3", "name": prefix, "token": tokens[0]},
			map[string]string{"if-match": "1010"}, "")
		expectStatus(t, r, http.StatusPreconditionFailed)
		expectBody(t, r, "Cannot modify stale token")
	})
	t.Run("update without changes", func(t *testing.T) {
		for _, token := range tokens {
			cur := rt.getToken(token, "")
			etag := cur.Header.Get("etag")
			body := tokenBody(t, cur)
			delete(body, "owner")
			body["token"] = token
			r := rt.postToken(t, body, map[string]string{"if-match": etag}, "")
			expectStatus(t, r, http.StatusOK)
			expectBody(t, r, "No changes detected for "+token)
			if r.Header.Get("etag") != etag || r.Header.Get("x-waiter-operation-result") != "token-no-op" {
				t.Errorf("no-op update: etag %q (was %q), x-waiter-operation-result %q, want the same etag and token-no-op",
					r.Header.Get("etag"), etag, r.Header.Get("x-waiter-operation-result"))
			}
		}
	})
	t.Run("retrieval with etag, metadata and history", func(t *testing.T) {
		for _, token := range tokens {
			plain := rt.getToken(token, "include=none")
			if plain.Header.Get("etag") == "" {
				t.Errorf("GET /token %s: no etag", token)
			}
			if got, want := tokenBody(t, plain), (map[string]any{"health-check-url": "/probe", "name": prefix, "owner": user}); !reflect.DeepEqual(got, want) {
				t.Errorf("GET /token %s = %v, want %v", token, got, want)
			}
			meta := tokenBody(t, rt.getToken(token, "include=metadata"))
			for _, k := range []string{"cluster", "last-update-time", "last-update-user", "owner", "root"} {
				if _, ok := meta[k]; !ok {
					t.Errorf("GET /token %s include=metadata lacks %s: %v", token, k, meta)
				}
			}
			if meta["last-update-user"] != user {
				t.Errorf("last-update-user = %v, want %s", meta["last-update-user"], user)
			}
			if hc := nested(meta, "previous", "health-check-url"); hc != "/health" {
				t.Errorf("previous health-check-url = %v, want /health", hc)
			}
			if hc := nested(meta, "previous", "previous", "health-check-url"); hc != "/check" {
				t.Errorf("previous.previous health-check-url = %v, want /check", hc)
			}
		}
	})
	listed := func(t *testing.T, query, token string) map[string]any {
		t.Helper()
		r := rt.get("/tokens?" + query)
		expectStatus(t, r, http.StatusOK)
		var list []map[string]any
		r.json(t, &list)
		var found map[string]any
		for _, e := range list {
			if _, ok := e["etag"]; !ok {
				t.Errorf("/tokens?%s entry without etag: %v", query, e)
			}
			if strings.Contains(query, "deleted") {
				if _, ok := e["deleted"]; !ok {
					t.Errorf("/tokens?%s entry without deleted: %v", query, e)
				}
			}
			if e["token"] == token {
				found = e
			}
		}
		return found
	}
	t.Run("listing", func(t *testing.T) {
		for _, token := range tokens {
			if listed(t, "include=deleted&include=metadata", token) == nil {
				t.Errorf("/tokens does not list %s", token)
			}
		}
	})
	t.Run("hard delete needs the current etag", func(t *testing.T) {
		r := rt.request(http.MethodDelete, "/token?hard-delete=true&token="+tokens[0], nil, nil)
		expectStatus(t, r, http.StatusBadRequest)
		expectBody(t, r, "Must specify if-match header for token hard deletes")
		r = rt.request(http.MethodDelete, "/token?hard-delete=true&token="+tokens[0], map[string]string{"if-match": "1010"}, nil)
		expectStatus(t, r, http.StatusPreconditionFailed)
		expectBody(t, r, "Cannot modify stale token")
	})
	t.Run("soft delete", func(t *testing.T) {
		for _, token := range tokens {
			r := rt.request(http.MethodDelete, "/token", map[string]string{"host": token}, nil)
			expectStatus(t, r, http.StatusOK)
			if got := r.Header.Get("x-waiter-operation-result"); got != "token-deleted" {
				t.Errorf("x-waiter-operation-result = %q, want token-deleted", got)
			}
			var out map[string]any
			r.json(t, &out)
			if want := (map[string]any{"delete": token, "hard-delete": false, "success": true}); !reflect.DeepEqual(out, want) {
				t.Errorf("soft delete answered %v, want %v", out, want)
			}
			gone := rt.getToken(token, "")
			expectStatus(t, gone, http.StatusNotFound)
			expectBody(t, gone, "Couldn't find token")
			if del := tokenBody(t, rt.getToken(token, "include=deleted&include=metadata")); del["deleted"] != true {
				t.Errorf("soft-deleted token shows deleted = %v", del["deleted"])
			}
			if listed(t, "include=metadata", token) != nil {
				t.Errorf("/tokens lists the soft-deleted %s without include=deleted", token)
			}
			if e := listed(t, "include=deleted&include=metadata", token); e == nil || e["deleted"] != true {
				t.Errorf("/tokens?include=deleted entry of %s = %v, want deleted true", token, e)
			}
		}
	})
	t.Run("hard delete", func(t *testing.T) {
		for _, token := range tokens {
			rt.deleteToken(t, token)
			r := rt.getToken(token, "include=deleted")
			expectStatus(t, r, http.StatusNotFound)
			expectBody(t, r, "Couldn't find token")
			if listed(t, "include=deleted&include=metadata", token) != nil {
				t.Errorf("/tokens still lists the hard-deleted %s", token)
			}
		}
	})
}
