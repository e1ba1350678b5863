package acceptance

import (
	"net/http"
	"reflect"
	"testing"
)

// Port of token_request_test.clj's test-hostname-token.

// test-hostname-token: a token named like a host name is found through
// the Host header and combines with x-waiter-* headers.
func TestHostnameToken(t *testing.T) {
	t.Parallel()
	rt := sharedRouter(t)
	user := currentUser(t)
	prefix, name := randName(t), randName(t)
	token := tokenName(t)
	rt.cleanupToken(t, token)
	expectStatus(t, rt.postToken(t, map[string]any{"health-check-url": "/probe", "metric-group": "waiter_test",
		"metadata": map[string]any{"id": prefix}, "name": name, "token": token}, nil, ""), http.StatusOK)

	got := tokenBody(t, rt.getToken(token, "include=metadata"))
	if _, ok := got["last-update-time"]; !ok {
		t.Errorf("no last-update-time: %v", got)
	}
	for k, v := range map[string]any{"health-check-url": "/probe", "last-update-user": user,
		"metadata": map[string]any{"id": prefix}, "metric-group": "waiter_test", "name": name, "owner": user} {
		if !reflect.DeepEqual(got[k], v) {
			t.Errorf("token %s = %v, want %v", k, got[k], v)
		}
	}
	etag := rt.getToken(token, "").Header.Get("etag")

	description := kitchenHeaders(map[string]string{"x-waiter-name": prefix, "x-waiter-permitted-user": "*",
		"x-waiter-run-as-user": user, "x-waiter-debug": "", "host": token})
	check := func(t *testing.T, headers map[string]string) string {
		t.Helper()
		id := rt.serviceIDOf(t, headers)
		rt.cleanupService(t, id)
		r := rt.request(http.MethodGet, "/foo", headers, nil)
		expectStatus(t, r, http.StatusOK)
		s := rt.serviceSettings(t, id, url1("effective-parameters", "true"))
		if s.ServiceDescription["name"] != prefix {
			t.Errorf("name = %v, want the header's %s", s.ServiceDescription["name"], prefix)
		}
		if mid := nested(s.ServiceDescription, "metadata", "id"); mid != prefix {
			t.Errorf("metadata id = %v, want the token's %s", mid, prefix)
		}
		if mg := s.EffectiveParameters["metric-group"]; mg != "waiter_test" {
			t.Errorf("metric-group = %v, want waiter_test", mg)
		}
		if src := sourceTokens(s.raw); !reflect.DeepEqual(src, []tokenRef{{token, etag}}) {
			t.Errorf("source-tokens = %v, want [{%s %s}]", src, token, etag)
		}
		return id
	}
	t.Run("with x-waiter headers", func(t *testing.T) { check(t, description) })
	t.Run("without permitted-user", func(t *testing.T) {
		h := copyHeaders(description)
		delete(h, "x-waiter-permitted-user")
		check(t, h)
	})
	t.Run("without run-as-user", func(t *testing.T) {
		h := copyHeaders(description)
		delete(h, "x-waiter-run-as-user")
		check(t, h)
		r := rt.request(http.MethodGet, "/request-info", h, nil)
		expectStatus(t, r, http.StatusOK)
		var info struct {
			Headers map[string]any `json:"headers"`
		}
		r.json(t, &info)
		for _, k := range []string{"x-waiter-auth-principal", "x-waiter-authenticated-principal"} {
			if _, ok := info.Headers[k]; !ok {
				t.Errorf("the backend did not receive %s: %v", k, info.Headers)
			}
		}
	})
	t.Run("without cmd", func(t *testing.T) {
		h := copyHeaders(description)
		delete(h, "x-waiter-cmd")
		r := rt.request(http.MethodGet, "/foo", h, nil)
		expectStatus(t, r, http.StatusBadRequest)
		expectBody(t, r, "cmd")
	})
	t.Run("with x-waiter-debug", func(t *testing.T) {
		h := copyHeaders(description)
		h["x-waiter-debug"] = "true"
		rt.cleanupService(t, rt.serviceIDOf(t, h))
		r := rt.request(http.MethodGet, "/foo", h, nil)
		expectStatus(t, r, http.StatusOK)
		for _, k := range append([]string{"x-cid"}, debugHeaders...) {
			if r.Header.Get(k) == "" {
				t.Errorf("no %s: %v", k, r.Header)
			}
		}
	})
}

// tokenRef is one entry of a service's source-tokens.
type tokenRef struct{ Token, Version string }

// sourceTokens flattens /apps/{id} source-tokens, which Waiter nests as a
// list of token lists (one per way the service was reached).
func sourceTokens(app map[string]any) []tokenRef {
	var out []tokenRef
	var walk func(any)
	walk = func(v any) {
		switch x := v.(type) {
		case []any:
			for _, e := range x {
				walk(e)
			}
		case map[string]any:
			tok, _ := x["token"].(string)
			ver, _ := x["version"].(string)
			out = append(out, tokenRef{tok, ver})
		}
	}
	walk(app["source-tokens"])
	return out
}

func copyHeaders(h map[string]string) map[string]string {
	out := make(map[string]string, len(h))
	for k, v := range h {
		out[k] = v
	}
	return out
}

// url1 is a one-parameter query.
func url1(k, v string) map[string][]string { return map[string][]string{k: {v}} }
