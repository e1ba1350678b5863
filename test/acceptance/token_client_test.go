package acceptance

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/url"
	"testing"
)

// Waiter's client tools for /token.

// postToken is Waiter's post-token: POST /token with the JSON body and
// the token's name as Host.
func (rt *router) postToken(t testing.TB, data map[string]any, headers map[string]string, query string) response {
	t.Helper()
	b, err := json.Marshal(data)
	if err != nil {
		t.Fatalf("encode token: %v", err)
	}
	h := map[string]string{"content-type": "application/json"}
	if name, ok := data["token"].(string); ok {
		h["host"] = name
	}
	for k, v := range headers {
		h[k] = v
	}
	path := "/token"
	if query != "" {
		path += "?" + query
	}
	return rt.request(http.MethodPost, path, h, bytes.NewReader(b))
}

// getToken is GET /token?token=name with extra query parameters.
func (rt *router) getToken(name, query string) response {
	path := "/token?token=" + url.QueryEscape(name)
	if query != "" {
		path += "&" + query
	}
	return rt.get(path)
}

// deleteToken is Waiter's delete-token-and-assert: a hard delete with the
// token's current etag.
func (rt *router) deleteToken(t testing.TB, name string) {
	t.Helper()
	if r := rt.hardDeleteToken(name); r.Err != nil || r.Status != http.StatusOK {
		t.Errorf("hard delete of token %s: %s", name, r)
	}
}

func (rt *router) hardDeleteToken(name string) response {
	etag := rt.getToken(name, "include=deleted").Header.Get("etag")
	return rt.request(http.MethodDelete, "/token?hard-delete=true&token="+url.QueryEscape(name),
		map[string]string{"if-match": etag}, nil)
}

// cleanupToken hard-deletes the token when the test ends, unless the test
// already did.
func (rt *router) cleanupToken(t testing.TB, name string) {
	t.Helper()
	t.Cleanup(func() {
		if r := rt.hardDeleteToken(name); r.Err != nil || (r.Status != http.StatusOK && r.Status != http.StatusNotFound) {
			t.Errorf("hard delete of token %s: %s", name, r)
		}
	})
}
