package waiterhttp

import (
	"net/http"
	"strings"
	"testing"
)

// Waiter's authentication "disabled": a token that fully describes a
// service anyone may invoke lets proxied requests through without
// credentials, and nothing else does.
func TestAuthenticationDisabledTokens(t *testing.T) {
	e := newAuthEdge(t, &schemeAuth{scheme: "Negotiate"}, nil)
	var principal string
	e.backend(t, func(w http.ResponseWriter, r *http.Request) {
		principal = r.Header.Get("x-waiter-auth-principal")
		_, _ = w.Write([]byte("ok"))
	})
	post := func(body string) *http.Response {
		rec := e.do(t, req{method: http.MethodPost, path: "/token", body: body, headers: negotiate("alice")})
		return rec.Result()
	}
	open := `{"token": "open", "cmd": "kitchen", "cpus": 0.1, "mem": 64, "version": "v1",
		"run-as-user": "alice", "permitted-user": "*", "authentication": "disabled"}`
	if resp := post(open); resp.StatusCode != http.StatusOK {
		t.Fatalf("writing an authentication-disabled token: %d", resp.StatusCode)
	}
	if resp := post(`{"token": "closed", "cmd": "kitchen", "cpus": 0.1, "mem": 64, "version": "v1",
		"run-as-user": "alice", "permitted-user": "*"}`); resp.StatusCode != http.StatusOK {
		t.Fatalf("writing a token: %d", resp.StatusCode)
	}

	t.Run("anonymous request to the open token's service", func(t *testing.T) {
		rec := e.do(t, req{path: "/hi", headers: map[string]string{"x-waiter-token": "open"}})
		wantStatus(t, rec, http.StatusOK)
		if principal != "" {
			t.Errorf("backend told the principal is %q; nobody authenticated", principal)
		}
		if sc := rec.Header().Values("Set-Cookie"); len(sc) != 0 {
			t.Errorf("an anonymous request got cookies %v", sc)
		}
	})
	t.Run("another token still needs credentials", func(t *testing.T) {
		want401(t, e.do(t, req{path: "/hi", headers: map[string]string{"x-waiter-token": "closed"}}), "Unauthorized", "Negotiate")
	})
	t.Run("a later token may turn it back on", func(t *testing.T) {
		if resp := post(`{"token": "std", "authentication": "standard"}`); resp.StatusCode != http.StatusOK {
			t.Fatalf("writing a token: %d", resp.StatusCode)
		}
		want401(t, e.do(t, req{path: "/hi", headers: map[string]string{"x-waiter-token": "open,std"}}), "Unauthorized", "Negotiate")
	})
	t.Run("on-the-fly headers may not join it", func(t *testing.T) {
		rec := e.do(t, req{path: "/hi", headers: map[string]string{"x-waiter-token": "open", "x-waiter-cpus": "1"}})
		wantStatus(t, rec, http.StatusBadRequest)
		if !strings.Contains(rec.Body.String(), "An authentication disabled token may not be combined with on-the-fly headers") {
			t.Errorf("body %s", rec.Body.String())
		}
	})
	t.Run("no on-the-fly authentication header on proxied requests", func(t *testing.T) {
		h := kitchenHeaders("x-waiter-authentication", "disabled", "Authorization", "Negotiate alice")
		rec := e.do(t, req{path: "/hi", headers: h})
		wantStatus(t, rec, http.StatusBadRequest)
		if !strings.Contains(rec.Body.String(), "An authentication parameter is not supported for on-the-fly headers") {
			t.Errorf("body %s", rec.Body.String())
		}
	})
	t.Run("Waiter API calls may name it", func(t *testing.T) {
		h := kitchenHeaders("x-waiter-authentication", "standard", "Authorization", "Negotiate alice")
		wantStatus(t, e.do(t, req{path: "/service-id", headers: h}), http.StatusOK)
	})
	t.Run("Waiter API calls always authenticate", func(t *testing.T) {
		want401(t, e.do(t, req{path: "/service-id", headers: map[string]string{"x-waiter-token": "open"}}), "Unauthorized", "Negotiate")
	})
	t.Run("a stored token that breaks the rules does not open anything", func(t *testing.T) {
		if _, _, err := e.store.PutToken("sneaky", map[string]any{"cmd": "kitchen", "cpus": 0.1, "mem": 64.0, "version": "s",
			"run-as-user": "alice", "permitted-user": "alice", "authentication": "disabled"}, "", "alice", e.clock.Now()); err != nil {
			t.Fatal(err)
		}
		want401(t, e.do(t, req{path: "/hi", headers: map[string]string{"x-waiter-token": "sneaky"}}), "Unauthorized", "Negotiate")
	})
	t.Run("token writes check the rules", func(t *testing.T) {
		h := negotiate("alice")
		h["Accept"] = "text/plain" // the message unescaped
		rec := e.do(t, req{method: http.MethodPost, path: "/token", headers: h,
			body: `{"token": "bad", "cmd": "kitchen", "permitted-user": "bob", "run-as-user": "alice", "authentication": "disabled"}`})
		wantStatus(t, rec, http.StatusBadRequest)
		for _, want := range []string{"must specify permitted-user as *, instead provided \"bob\"",
			"must specify all required parameters (missing: cpus, mem, version)"} {
			if !strings.Contains(rec.Body.String(), want) {
				t.Errorf("body does not say %q:\n%s", want, rec.Body.String())
			}
		}
	})
}
