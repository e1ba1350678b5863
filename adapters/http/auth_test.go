package waiterhttp

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/benbjohnson/clock"
)

// schemeAuth is a fake authenticator of one scheme: "<Scheme> <user>"
// (for Bearer "<user>.sig.x", shaped like a JWT) proves user, the
// credential "bad" is refused, and a request without the scheme gets a
// bare challenge.
type schemeAuth struct {
	scheme  string
	calls   atomic.Int32
	expires time.Time
}

func (a *schemeAuth) Scheme() string { return a.scheme }

func (a *schemeAuth) Authenticate(r *http.Request) (Principal, error) {
	a.calls.Add(1)
	for _, v := range r.Header.Values("Authorization") {
		for _, entry := range strings.Split(v, ",") {
			scheme, cred, _ := strings.Cut(strings.TrimSpace(entry), " ")
			if !strings.EqualFold(scheme, a.scheme) {
				continue
			}
			user, _, _ := strings.Cut(cred, ".")
			if user == "bad" || user == "" {
				return Principal{}, &AuthError{Reason: a.scheme + " credential refused", Challenges: []string{a.scheme + ` error="invalid"`}}
			}
			return Principal{User: user, Method: strings.ToLower(a.scheme), Expires: a.expires}, nil
		}
	}
	return Principal{}, &AuthError{Reason: "no " + a.scheme + " credential", Challenges: []string{a.scheme}}
}

// authEdge is a testEdge whose authenticator is authn, with cookies
// keyed by secret (nil: no cookies).
func newAuthEdge(t *testing.T, authn Authenticator, secret []byte, mutate ...func(*Config)) *testEdge {
	t.Helper()
	e := &testEdge{store: newMemStore(), router: newFakeRouter(), clock: clock.NewMock()}
	e.clock.Set(time.Date(2024, 5, 1, 12, 0, 0, 0, time.UTC))
	cfg := Config{RouterID: "r1", Hostnames: []string{"waiter.example"}, AuthCookieSecret: secret, AuthCookieScope: "test"}
	for _, m := range mutate {
		m(&cfg)
	}
	srv, err := New(cfg, Deps{Router: e.router, Store: e.store, Authn: authn, Entitled: NewSimple(testUser), Clock: e.clock})
	if err != nil {
		t.Fatal(err)
	}
	e.srv = srv
	t.Cleanup(srv.Close)
	return e
}

var testSecret = []byte("0123456789abcdef0123456789abcdef")

func negotiate(user string) map[string]string {
	return map[string]string{"Authorization": "Negotiate " + user}
}

// want401 asserts Waiter's 401: the message and the challenges, in order.
func want401(t *testing.T, rec *httptest.ResponseRecorder, message string, challenges ...string) {
	t.Helper()
	wantStatus(t, rec, http.StatusUnauthorized)
	if !strings.Contains(rec.Body.String(), message) {
		t.Errorf("body does not say %q:\n%s", message, rec.Body.String())
	}
	if got := rec.Header().Values("WWW-Authenticate"); strings.Join(got, "|") != strings.Join(challenges, "|") {
		t.Errorf("www-authenticate %q, want %q", got, challenges)
	}
}

func TestAPICallsAuthenticateExceptPublicOnes(t *testing.T) {
	e := newAuthEdge(t, &schemeAuth{scheme: "Negotiate"}, nil)
	for _, path := range []string{"/apps", "/tokens", "/settings", "/state", "/token?token=x", "/service-id", "/waiter-auth", "/nope"} {
		want401(t, e.do(t, req{path: path}), "Unauthorized: no Negotiate credential", "Negotiate")
	}
	want401(t, e.do(t, req{path: "/apps", headers: negotiate("bad")}), "Unauthorized: Negotiate credential refused", `Negotiate error="invalid"`)
	for _, path := range []string{"/", "/status", "/metrics"} {
		wantStatus(t, e.do(t, req{path: path}), http.StatusOK)
	}
	wantStatus(t, e.do(t, req{path: "/apps", headers: negotiate("alice")}), http.StatusOK)
	rec := e.do(t, req{path: "/waiter-auth", headers: negotiate("alice")})
	wantStatus(t, rec, http.StatusOK)
	if rec.Body.String() != "alice" || rec.Header().Get("x-waiter-auth-user") != "alice" || rec.Header().Get("x-waiter-auth-method") != "negotiate" {
		t.Errorf("/waiter-auth: body %q headers %v, want alice by negotiate", rec.Body.String(), rec.Header())
	}
}

func TestProxiedRequestsAuthenticateBeforeAdmission(t *testing.T) {
	e := newAuthEdge(t, &schemeAuth{scheme: "Negotiate"}, nil)
	var seen http.Header
	e.backend(t, func(w http.ResponseWriter, r *http.Request) {
		seen = r.Header.Clone()
		w.Header().Set("x-waiter-auth-user", "mallory") // a backend cannot claim who the caller is
		_, _ = w.Write([]byte("ok"))
	})
	want401(t, e.do(t, req{path: "/hi", headers: kitchenHeaders()}), "Unauthorized", "Negotiate")
	if len(e.router.admitted) != 0 {
		t.Fatalf("an unauthenticated request was admitted: %v", e.router.admitted)
	}
	h := kitchenHeaders("Authorization", "Negotiate alice", "x-waiter-debug", "1")
	rec := e.do(t, req{path: "/hi", headers: h})
	wantStatus(t, rec, http.StatusOK)
	if seen.Get("x-waiter-auth-principal") != "alice" || seen.Get("Authorization") != "" {
		t.Errorf("backend saw principal %q authorization %q; want alice and no Authorization",
			seen.Get("x-waiter-auth-principal"), seen.Get("Authorization"))
	}
	if rec.Header().Get("x-waiter-auth-user") != "alice" || rec.Header().Get("x-waiter-auth-method") != "negotiate" {
		t.Errorf("debug auth headers user %q method %q, want alice and negotiate",
			rec.Header().Get("x-waiter-auth-user"), rec.Header().Get("x-waiter-auth-method"))
	}
	delete(h, "x-waiter-debug")
	if rec := e.do(t, req{path: "/hi", headers: h}); rec.Header().Get("x-waiter-auth-method") != "" {
		t.Errorf("auth headers without x-waiter-debug: %v", rec.Header())
	}
}

func TestCompositeOffersEveryChallengeAndRoutesByScheme(t *testing.T) {
	krb, jwt := &schemeAuth{scheme: "Negotiate"}, &schemeAuth{scheme: "Bearer"}
	c, err := NewComposite(krb, jwt)
	if err != nil {
		t.Fatal(err)
	}
	e := newAuthEdge(t, c, nil)
	want401(t, e.do(t, req{path: "/apps"}), "Unauthorized: no credentials for any of Negotiate, Bearer", "Negotiate", "Bearer")
	want401(t, e.do(t, req{path: "/apps", headers: map[string]string{"Authorization": "Basic YTpi"}}),
		"no credentials for any of Negotiate, Bearer", "Negotiate", "Bearer")
	// A credential of a known scheme is judged by that member alone.
	want401(t, e.do(t, req{path: "/apps", headers: map[string]string{"Authorization": "Bearer bad.x.y"}}),
		"Bearer credential refused", `Bearer error="invalid"`)
	for auth, method := range map[string]string{"Negotiate alice": "negotiate", "bearer alice.sig.x": "bearer"} {
		rec := e.do(t, req{path: "/waiter-auth", headers: map[string]string{"Authorization": auth}})
		wantStatus(t, rec, http.StatusOK)
		if rec.Header().Get("x-waiter-auth-method") != method {
			t.Errorf("%s authenticated by %q, want %q", auth, rec.Header().Get("x-waiter-auth-method"), method)
		}
	}
	if _, err := NewComposite(krb, &schemeAuth{scheme: "negotiate"}); err == nil {
		t.Error("NewComposite accepted two members of one scheme")
	}
	if _, err := NewComposite(); err == nil {
		t.Error("NewComposite accepted no members")
	}
}
