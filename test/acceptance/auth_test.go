package acceptance

import (
	"fmt"
	"net/http"
	"os/user"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/waiter-go/waiter/internal/jwttest"
)

// The suite runs `waiter serve` with the jwt authenticator, as a
// production router would run: the harness is the token issuer, writes
// its key set where the router reads it, and the suite's client sends a
// token for the OS user on every request (bearerTransport).

const (
	testIssuer   = "https://issuer.acceptance.test"
	testAudience = "waiter-acceptance"
)

var (
	jwksPath string // the key set every test router reads
	bearer   string // "Bearer <token>" for the OS user
	issuer   *jwttest.Issuer
)

// bearerFor is "Bearer <token>" for another user than the suite's.
func bearerFor(t testing.TB, user string) string {
	t.Helper()
	tok, err := issuer.Token(user+"@acceptance.test", time.Now().Add(-time.Minute), time.Now().Add(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	return "Bearer " + tok
}

// setupAuth makes the issuer, writes its key set into dir and signs the
// suite's token, valid for longer than any run.
func setupAuth(dir string) error {
	u, err := user.Current()
	if err != nil {
		return fmt.Errorf("current user: %w", err)
	}
	iss, err := jwttest.New(testIssuer, testAudience, "acceptance-1")
	if err != nil {
		return err
	}
	issuer = iss
	jwksPath = filepath.Join(dir, "jwks.json")
	if err := iss.WriteJWKS(jwksPath); err != nil {
		return err
	}
	tok, err := iss.Token(u.Username+"@acceptance.test", time.Now().Add(-time.Minute), time.Now().Add(12*time.Hour))
	if err != nil {
		return err
	}
	bearer = "Bearer " + tok
	return nil
}

// anonymousHeader marks a request bearerTransport must send without
// credentials; the transport removes it.
const anonymousHeader = "x-acceptance-anonymous"

// bearerTransport authenticates every request that does not carry its
// own Authorization header, unless it is marked anonymous.
type bearerTransport struct{ base http.RoundTripper }

func (b bearerTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	switch {
	case r.Header.Get(anonymousHeader) != "":
		r = r.Clone(r.Context())
		r.Header.Del(anonymousHeader)
	case r.Header.Get("Authorization") == "" && bearer != "":
		r = r.Clone(r.Context())
		r.Header.Set("Authorization", bearer)
	}
	return b.base.RoundTrip(r)
}

// anonymous sends one request without credentials.
func anonymous(rt *router, method, path string, headers map[string]string) response {
	h := map[string]string{anonymousHeader: "1"}
	for k, v := range headers {
		h[k] = v
	}
	return rt.request(method, path, h, nil)
}

// Requests without credentials get 401 with a Bearer challenge; only the
// router's liveness is public.
func TestUnauthenticatedRequestsGet401(t *testing.T) {
	t.Parallel()
	rt := sharedRouter(t)
	challenge := `Bearer realm="127.0.0.1"`
	for _, tc := range []struct {
		name    string
		path    string
		headers map[string]string
	}{
		{"Waiter API", "/apps", nil},
		{"token API", "/token?token=anything", nil},
		{"proxied request", "/endpoint", kitchenHeaders(map[string]string{"x-waiter-name": randName(t)})},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := anonymous(rt, http.MethodGet, tc.path, tc.headers)
			expectStatus(t, r, http.StatusUnauthorized)
			expectBody(t, r, "Unauthorized")
			if got := r.Header.Values("www-authenticate"); len(got) != 1 || got[0] != challenge {
				t.Errorf("www-authenticate %q, want %q", got, challenge)
			}
		})
	}
	t.Run("a forged token", func(t *testing.T) {
		parts := strings.Split(strings.TrimPrefix(bearer, "Bearer "), ".")
		forged := "Bearer " + parts[0] + "." + parts[1] + ".AAAA"
		r := rt.request(http.MethodGet, "/apps", map[string]string{"Authorization": forged}, nil)
		expectStatus(t, r, http.StatusUnauthorized)
		if got := r.Header.Get("www-authenticate"); !strings.Contains(got, `error="invalid_token"`) {
			t.Errorf("www-authenticate %q, want an invalid_token error", got)
		}
	})
	t.Run("/status is public", func(t *testing.T) {
		expectStatus(t, anonymous(rt, http.MethodGet, "/status", nil), http.StatusOK)
	})
	t.Run("who the token says", func(t *testing.T) {
		r := rt.request(http.MethodGet, "/waiter-auth", nil, nil)
		expectStatus(t, r, http.StatusOK)
		if r.Body != currentUser(t) || r.Header.Get("x-waiter-auth-method") != "jwt" {
			t.Errorf("/waiter-auth: %q by %q, want %s by jwt", r.Body, r.Header.Get("x-waiter-auth-method"), currentUser(t))
		}
	})
}

// test-authentication-disabled-support (token_request_test.clj): a token
// with authentication disabled serves anyone, without credentials.
func TestAuthenticationDisabledSupport(t *testing.T) {
	t.Parallel()
	rt := sharedRouter(t)
	token := randName(t)
	data := kitchenParams()
	data["token"], data["authentication"], data["permitted-user"], data["run-as-user"] = token, "disabled", "*", currentUser(t)
	data["name"] = token
	expectStatus(t, rt.postToken(t, data, nil, ""), http.StatusOK)
	rt.cleanupToken(t, token)

	r := anonymous(rt, http.MethodGet, "/hello", map[string]string{"x-waiter-token": token, "x-waiter-debug": "true"})
	expectStatus(t, r, http.StatusOK)
	expectBody(t, r, "Hello World")
	rt.cleanupService(t, r.serviceID())
	if r.Header.Get("x-waiter-auth-user") != "" {
		t.Errorf("an anonymous request reports a user: %q", r.Header.Get("x-waiter-auth-user"))
	}

	mixed := anonymous(rt, http.MethodGet, "/hello", map[string]string{"x-waiter-token": token, "x-waiter-cpus": "0.2"})
	expectStatus(t, mixed, http.StatusBadRequest)
	expectBody(t, mixed, "An authentication disabled token may not be combined with on-the-fly headers")
}
