package waiterhttp

import (
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/benbjohnson/clock"
)

// setCookie returns the cookie named name that a response sets, or nil.
func setCookie(rec *httptest.ResponseRecorder, name string) *http.Cookie {
	for _, c := range (&http.Response{Header: rec.Header()}).Cookies() {
		if c.Name == name {
			return c
		}
	}
	return nil
}

// login authenticates alice through /waiter-auth and returns the cookie.
func login(t *testing.T, e *testEdge) *http.Cookie {
	t.Helper()
	rec := e.do(t, req{path: "/waiter-auth", headers: negotiate("alice")})
	wantStatus(t, rec, http.StatusOK)
	c := setCookie(rec, authCookie)
	if c == nil {
		t.Fatalf("no x-waiter-auth cookie after a login: %v", rec.Header())
	}
	return c
}

func withCookie(c *http.Cookie, extra ...string) map[string]string {
	h := map[string]string{"Cookie": c.Name + "=" + c.Value, "x-waiter-debug": "1"}
	for i := 0; i+1 < len(extra); i += 2 {
		h[extra[i]] = extra[i+1]
	}
	return h
}

func TestLoginSetsTheCookie(t *testing.T) {
	e := newAuthEdge(t, &schemeAuth{scheme: "Negotiate"}, testSecret)
	rec := e.do(t, req{path: "/waiter-auth", headers: negotiate("alice")})
	wantStatus(t, rec, http.StatusOK)
	c, exp := setCookie(rec, authCookie), setCookie(rec, authExpiresCookie)
	if c == nil || exp == nil {
		t.Fatalf("Set-Cookie %v, want x-waiter-auth and x-auth-expires-at", rec.Header().Values("Set-Cookie"))
	}
	if c.MaxAge != 86400 || c.Path != "/" || !c.HttpOnly {
		t.Errorf("x-waiter-auth %+v, want Max-Age=86400 (one day), Path=/ and HttpOnly", c)
	}
	if want := strconv.FormatInt(e.clock.Now().Add(24*time.Hour).Unix(), 10); exp.Value != want || exp.MaxAge != 86400 || exp.HttpOnly {
		t.Errorf("x-auth-expires-at %+v, want %s, readable by scripts", exp, want)
	}
	if strings.Contains(c.Value, "alice") {
		t.Errorf("the cookie shows its user in the clear: %q", c.Value)
	}
}

func TestCookieStandsInForTheAuthenticator(t *testing.T) {
	authn := &schemeAuth{scheme: "Negotiate"}
	e := newAuthEdge(t, authn, testSecret)
	c := login(t, e)
	calls := authn.calls.Load()
	rec := e.do(t, req{path: "/apps", headers: withCookie(c)})
	wantStatus(t, rec, http.StatusOK)
	if authn.calls.Load() != calls {
		t.Error("a request with a valid cookie still went to the authenticator")
	}
	if rec.Header().Get("x-waiter-auth-method") != "cookie" || rec.Header().Get("x-waiter-auth-user") != "alice" {
		t.Errorf("auth headers %q/%q, want cookie/alice", rec.Header().Get("x-waiter-auth-method"), rec.Header().Get("x-waiter-auth-user"))
	}
	if sc := rec.Header().Values("Set-Cookie"); len(sc) != 0 {
		t.Errorf("a cookie login set cookies again: %v", sc)
	}
	// Another router sharing the secret accepts it too.
	other := newAuthEdge(t, &schemeAuth{scheme: "Negotiate"}, testSecret)
	wantStatus(t, other.do(t, req{path: "/apps", headers: withCookie(c)}), http.StatusOK)
}

func TestTamperedCookieIs401(t *testing.T) {
	e := newAuthEdge(t, &schemeAuth{scheme: "Negotiate"}, testSecret)
	c := login(t, e)
	b := []byte(c.Value)
	i := len(b) / 2
	if b[i] == 'A' {
		b[i] = 'B'
	} else {
		b[i] = 'A'
	}
	tampered := &http.Cookie{Name: authCookie, Value: string(b)}
	want401(t, e.do(t, req{path: "/apps", headers: withCookie(tampered)}),
		"the x-waiter-auth cookie does not verify", "Negotiate")
	want401(t, e.do(t, req{path: "/apps", headers: withCookie(&http.Cookie{Name: authCookie, Value: "!!"})}),
		"the x-waiter-auth cookie is malformed", "Negotiate")

	// Sealed under another secret, or under another authenticator.
	for name, mutate := range map[string]func(*Config){
		"another secret":        func(c *Config) { c.AuthCookieSecret = []byte("another secret, sixteen bytes at least") },
		"another authenticator": func(c *Config) { c.AuthCookieScope = "jwt" },
	} {
		t.Run(name, func(t *testing.T) {
			other := newAuthEdge(t, &schemeAuth{scheme: "Negotiate"}, testSecret, mutate)
			want401(t, other.do(t, req{path: "/apps", headers: withCookie(c)}), "does not verify", "Negotiate")
		})
	}
}

func TestExpiredCookieIs401(t *testing.T) {
	e := newAuthEdge(t, &schemeAuth{scheme: "Negotiate"}, testSecret)
	c := login(t, e)
	e.clock.Add(24*time.Hour - time.Second)
	wantStatus(t, e.do(t, req{path: "/apps", headers: withCookie(c)}), http.StatusOK)
	e.clock.Add(time.Second)
	want401(t, e.do(t, req{path: "/apps", headers: withCookie(c)}), "the x-waiter-auth cookie has expired", "Negotiate")
	// Fresh credentials next to the stale cookie log in again.
	rec := e.do(t, req{path: "/apps", headers: withCookie(c, "Authorization", "Negotiate alice")})
	wantStatus(t, rec, http.StatusOK)
	if setCookie(rec, authCookie) == nil {
		t.Error("a fresh login beside an expired cookie set no new cookie")
	}
}

func TestCookieNeverOutlivesTheCredential(t *testing.T) {
	authn := &schemeAuth{scheme: "Negotiate"}
	e := newAuthEdge(t, authn, testSecret)
	authn.expires = e.clock.Now().Add(time.Hour)
	c := login(t, e)
	if c.MaxAge != 3600 {
		t.Errorf("cookie Max-Age %d, want 3600: the credential ends in an hour", c.MaxAge)
	}
	e.clock.Add(time.Hour)
	want401(t, e.do(t, req{path: "/apps", headers: withCookie(c)}), "has expired", "Negotiate")
}

// A bearer token is always checked, even next to a valid cookie
// (Waiter's wrap-auth-cookie-handler).
func TestBearerTokenOverridesTheCookie(t *testing.T) {
	c, err := NewComposite(&schemeAuth{scheme: "Negotiate"}, &schemeAuth{scheme: "Bearer"})
	if err != nil {
		t.Fatal(err)
	}
	e := newAuthEdge(t, c, testSecret)
	cookie := login(t, e)
	want401(t, e.do(t, req{path: "/apps", headers: withCookie(cookie, "Authorization", "Bearer bad.x.y")}),
		"Bearer credential refused", `Bearer error="invalid"`)
	rec := e.do(t, req{path: "/apps", headers: withCookie(cookie, "Authorization", "Bearer bob.x.y")})
	wantStatus(t, rec, http.StatusOK)
	if rec.Header().Get("x-waiter-auth-user") != "bob" {
		t.Errorf("user %q, want bob from the token", rec.Header().Get("x-waiter-auth-user"))
	}
}

// The cookie is the router's: never sent to a backend, never settable by
// one, and a fresh login's cookie survives the backend's own cookies.
func TestCookieStaysBetweenClientAndRouter(t *testing.T) {
	e := newAuthEdge(t, &schemeAuth{scheme: "Negotiate"}, testSecret)
	var seen string
	e.backend(t, func(w http.ResponseWriter, r *http.Request) {
		seen = r.Header.Get("Cookie")
		w.Header().Add("Set-Cookie", "x-waiter-auth=forged")
		w.Header().Add("Set-Cookie", "x-auth-expires-at=9999999999")
		w.Header().Add("Set-Cookie", "session=s1")
		_, _ = w.Write([]byte("ok"))
	})
	rec := e.do(t, req{path: "/hi", headers: kitchenHeaders("Authorization", "Negotiate alice")})
	wantStatus(t, rec, http.StatusOK)
	var names []string
	for _, sc := range rec.Header().Values("Set-Cookie") {
		if strings.Contains(sc, "forged") || strings.HasPrefix(sc, "x-auth-expires-at=9999999999") {
			t.Errorf("a backend's auth cookie reached the client: %q", sc)
		}
		name, _, _ := strings.Cut(sc, "=")
		names = append(names, name)
	}
	if strings.Join(names, ",") != "x-waiter-auth,x-auth-expires-at,session" {
		t.Errorf("Set-Cookie names %v, want the router's two then the backend's session", names)
	}
	c := setCookie(rec, authCookie)
	h := kitchenHeaders()
	h["Cookie"] = "a=1; x-waiter-auth=" + c.Value + "; x-auth-expires-at=1; b=2"
	wantStatus(t, e.do(t, req{path: "/hi", headers: h}), http.StatusOK)
	if seen != "a=1; b=2" {
		t.Errorf("backend saw Cookie %q, want a=1; b=2", seen)
	}
}

func TestCookieSecretMustBeLongEnough(t *testing.T) {
	_, err := New(Config{AuthCookieSecret: []byte("short")}, Deps{Router: newFakeRouter(), Store: newMemStore(),
		Authn: OneUser{User: "a"}, Entitled: NewSimple("a"), Clock: clock.NewMock()})
	if err == nil || !strings.Contains(err.Error(), "at least 16 bytes") {
		t.Fatalf("New with a short cookie secret: %v, want a length error", err)
	}
	e := newAuthEdge(t, OneUser{User: "a"}, nil)
	if e.srv.cookies != nil {
		t.Error("cookies are on without a secret")
	}
	_, err = newAuthCookies([]byte("short"), "x", 0)
	if err == nil || !strings.Contains(err.Error(), "at least 16 bytes") {
		t.Errorf("newAuthCookies(short) = %v, want a length error", err)
	}
}

// Within a second, one caller's cookie pair is sealed once and reused
// (the same claims); another caller, a later second or TLS gets its own.
func TestAuthCookieReusedWithinSecond(t *testing.T) {
	c, err := newAuthCookies([]byte("0123456789abcdef-secret"), "scope", time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	now := time.Unix(1_700_000_000, 100_000_000)
	pair := func(p Principal, at time.Time, tls bool) []string {
		r := httptest.NewRequest(http.MethodGet, "/", nil)
		if !tls {
			r.TLS = nil
		}
		h := http.Header{}
		c.set(h, r, p, at)
		return h.Values("Set-Cookie")
	}
	alice := Principal{User: "alice", Method: "one-user"}
	first := pair(alice, now, false)
	if len(first) != 2 {
		t.Fatalf("cookies %v", first)
	}
	if again := pair(alice, now.Add(500*time.Millisecond), false); !slices.Equal(again, first) {
		t.Errorf("within the second: %v, want the same %v", again, first)
	}
	if p, problem := c.open(strings.TrimPrefix(strings.Split(first[0], ";")[0], authCookie+"="), now.Add(time.Minute)); problem != "" || p.User != "alice" {
		t.Errorf("the reused cookie opens as %+v (%s)", p, problem)
	}
	for name, other := range map[string][]string{
		"next second":  pair(alice, now.Add(time.Second), false),
		"another user": pair(Principal{User: "bob", Method: "one-user"}, now, false),
		"tls":          pair(alice, now, true),
	} {
		if slices.Equal(other, first) {
			t.Errorf("%s: the same cookies as alice's first", name)
		}
	}
}

// The reused Set-Cookie pair is shared between answers: one answer
// adding a cookie of its own (a backend's) must not change another's.
func TestSharedCookiePairStaysIntact(t *testing.T) {
	c, err := newAuthCookies([]byte("0123456789abcdef0123"), "x", 0)
	if err != nil {
		t.Fatal(err)
	}
	now := time.Unix(1_700_000_000, 0)
	r := httptest.NewRequest(http.MethodGet, "/", nil)
	p := Principal{User: "alice", Method: "test"}
	first, second, third := http.Header{}, http.Header{}, http.Header{"Set-Cookie": {"backend=1"}}
	c.set(first, r, p, now)
	c.set(second, r, p, now)
	c.set(third, r, p, now)
	if len(first["Set-Cookie"]) != 2 || len(second["Set-Cookie"]) != 2 {
		t.Fatalf("Set-Cookie: %q, %q; want the pair in both", first["Set-Cookie"], second["Set-Cookie"])
	}
	if got := third["Set-Cookie"]; len(got) != 3 || got[0] != "backend=1" || got[1] != first["Set-Cookie"][0] {
		t.Fatalf("with a prior cookie: %q", got)
	}
	second["Set-Cookie"] = append(second["Set-Cookie"], "backend=2")
	second["Set-Cookie"][0] = "changed"
	if first["Set-Cookie"][0] == "changed" || len(first["Set-Cookie"]) != 2 {
		t.Fatalf("appending to one answer's cookies changed another's: %q", first["Set-Cookie"])
	}
}
