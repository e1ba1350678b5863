package serve

import (
	"bytes"
	"context"
	"encoding/base64"
	"log/slog"
	"net"
	"net/http"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/benbjohnson/clock"
	"github.com/jcmturner/gokrb5/v8/spnego"
	"github.com/waiter-go/waiter/cmd/waiter/internal/config"
	"github.com/waiter-go/waiter/cmd/waiter/internal/fakesched"
	"github.com/waiter-go/waiter/engine"
	"github.com/waiter-go/waiter/internal/jwttest"
	"github.com/waiter-go/waiter/internal/krbtest"
)

// logBuffer collects a router's log.
type logBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *logBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *logBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// anyInterface listens on every interface, on a port found free on
// 127.0.0.1; tests send requests to 127.0.0.1 only.
func anyInterface(t *testing.T) (net.Listener, string) {
	t.Helper()
	probe, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := probe.Addr().(*net.TCPAddr).Port
	_ = probe.Close()
	ln, err := net.Listen("tcp", net.JoinHostPort("0.0.0.0", strconv.Itoa(port)))
	if err != nil {
		t.Fatal(err)
	}
	return ln, "http://127.0.0.1:" + strconv.Itoa(port)
}

// authRouter runs `waiter serve` on ln with cfg changed by mutate and a
// fake scheduler; it stops when the test ends.
type authRouter struct {
	url    string
	log    *logBuffer
	client *http.Client
}

func startAuthRouter(t *testing.T, ln net.Listener, url string, mutate func(*config.Config)) *authRouter {
	t.Helper()
	cfg := config.Default()
	cfg.DataDir = t.TempDir()
	cfg.RouterID = "auth-router"
	cfg.RunAsUser = "alice"
	cfg.FastPollInterval = 20 * time.Millisecond
	cfg.DrainTimeout = 5 * time.Second
	mutate(&cfg)
	r := &authRouter{url: url, log: &logBuffer{}, client: &http.Client{}}
	sched := fakesched.New(func(*engine.Description) http.Handler { return fakesched.Backend() })
	ctx, cancel := context.WithCancel(context.Background())
	ready, done := make(chan struct{}), make(chan error, 1)
	go func() {
		done <- Run(ctx, Options{Config: cfg, Clock: clock.New(), Scheduler: sched, Listener: ln,
			Logger: slog.New(slog.NewTextHandler(r.log, nil)), Ready: func(string) { close(ready) }})
	}()
	select {
	case <-ready:
	case err := <-done:
		t.Fatalf("Run: %v\n%s", err, r.log)
	}
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("Run: %v", err)
		}
		r.client.CloseIdleConnections()
	})
	return r
}

func (r *authRouter) get(t *testing.T, path string, headers ...string) (*http.Response, string) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, r.url+path, nil)
	setHeaders(req, headers)
	resp, err := r.client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	_, body := read(t, resp)
	return resp, body
}

func want401(t *testing.T, resp *http.Response, body, message string, challenges ...string) {
	t.Helper()
	if resp.StatusCode != http.StatusUnauthorized || !strings.Contains(body, message) ||
		strings.Join(resp.Header.Values("WWW-Authenticate"), "|") != strings.Join(challenges, "|") {
		t.Errorf("status %d www-authenticate %q body %q; want 401, %q and %q",
			resp.StatusCode, resp.Header.Values("WWW-Authenticate"), body, challenges, message)
	}
}

func TestOneUserRefusesToListenBeyondLoopback(t *testing.T) {
	cfg := config.Default()
	cfg.DataDir = t.TempDir()
	cfg.Host, cfg.Port = "0.0.0.0", 0
	err := Run(context.Background(), Options{Config: cfg, Clock: clock.New(), Logger: slog.New(slog.DiscardHandler)})
	if err == nil || !strings.Contains(err.Error(), `host "0.0.0.0" is not a loopback address`) ||
		!strings.Contains(err.Error(), "insecure-allow-anyone") {
		t.Errorf("Run on 0.0.0.0 with one-user: %v, want the bind rule", err)
	}

	ln, _ := anyInterface(t)
	defer ln.Close()
	cfg.Host = "127.0.0.1" // the listener, not the host, is what counts
	err = Run(context.Background(), Options{Config: cfg, Clock: clock.New(), Listener: ln, Logger: slog.New(slog.DiscardHandler)})
	if err == nil || !strings.Contains(err.Error(), "is not a loopback address") {
		t.Errorf("Run on a 0.0.0.0 listener with one-user: %v, want the bind rule", err)
	}
}

func TestInsecureAllowAnyoneStartsAndWarns(t *testing.T) {
	ln, url := anyInterface(t)
	r := startAuthRouter(t, ln, url, func(c *config.Config) {
		c.Host, c.InsecureAllowAnyone = "0.0.0.0", true
	})
	const warning = "with the one-user authenticator, so anyone who can reach it acts as alice"
	if !strings.Contains(r.log.String(), warning) || !strings.Contains(r.log.String(), "level=WARN") {
		t.Errorf("no start-up warning in the log:\n%s", r.log)
	}
	resp, body := r.get(t, "/settings")
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("/settings: %d %s", resp.StatusCode, body)
	}
	cfg, _ := decode(t, body)["config"].(map[string]any)
	warnings, _ := cfg["warnings"].([]any)
	if len(warnings) != 1 || !strings.Contains(warnings[0].(string), warning) || cfg["insecure-allow-anyone"] != true {
		t.Errorf("/settings config: warnings %v insecure-allow-anyone %v", cfg["warnings"], cfg["insecure-allow-anyone"])
	}
}

// jwtRouter writes a JWKS file and runs a jwt router beyond loopback.
func jwtRouter(t *testing.T, mutate func(*config.Config)) (*authRouter, *jwttest.Issuer) {
	t.Helper()
	iss, err := jwttest.New("https://issuer.test", "waiter.test", "k1")
	if err != nil {
		t.Fatal(err)
	}
	jwks := filepath.Join(t.TempDir(), "jwks.json")
	if err := iss.WriteJWKS(jwks); err != nil {
		t.Fatal(err)
	}
	ln, url := anyInterface(t)
	r := startAuthRouter(t, ln, url, func(c *config.Config) {
		c.Host, c.Authenticator = "0.0.0.0", config.AuthJWT
		c.JWT = config.JWT{JWKSFile: jwks, Issuer: iss.Name, Audience: iss.Audience}
		if mutate != nil {
			mutate(c)
		}
	})
	return r, iss
}

func token(t *testing.T, iss *jwttest.Issuer, sub string, exp time.Duration) string {
	t.Helper()
	tok, err := iss.Token(sub, time.Now().Add(-time.Minute), time.Now().Add(exp))
	if err != nil {
		t.Fatal(err)
	}
	return "Bearer " + tok
}

func TestJWTRouterBeyondLoopback(t *testing.T) {
	r, iss := jwtRouter(t, nil)
	resp, body := r.get(t, "/apps")
	want401(t, resp, body, "Unauthorized: no bearer token", `Bearer realm="127.0.0.1"`)
	resp, body = r.get(t, "/hello", service("anon")...)
	want401(t, resp, body, "Unauthorized", `Bearer realm="127.0.0.1"`)
	resp, body = r.get(t, "/apps", "Authorization", token(t, iss, "alice@example.test", -time.Minute))
	want401(t, resp, body, "Unauthorized: the token has expired",
		`Bearer realm="127.0.0.1", error="invalid_token", error_description="the token has expired"`)

	resp, body = r.get(t, "/hello", append(service("jwt"), "Authorization", token(t, iss, "alice@example.test", time.Hour),
		"x-waiter-debug", "1")...)
	if resp.StatusCode != http.StatusOK || resp.Header.Get("x-waiter-auth-user") != "alice" || resp.Header.Get("x-waiter-auth-method") != "jwt" {
		t.Errorf("a valid token: %d user %q method %q: %s", resp.StatusCode, resp.Header.Get("x-waiter-auth-user"),
			resp.Header.Get("x-waiter-auth-method"), body)
	}
	resp, body = r.get(t, "/settings", "Authorization", token(t, iss, "alice@example.test", time.Hour))
	cfg, _ := decode(t, body)["config"].(map[string]any)
	j, _ := cfg["jwt"].(map[string]any)
	if resp.StatusCode != http.StatusOK || cfg["authenticator"] != "jwt" || j["issuer"] != iss.Name || j["subject-claim"] != "sub" ||
		cfg["auth-secret"] != "generated in data-dir" || cfg["warnings"] != nil {
		t.Errorf("/settings: %d authenticator %v jwt %v auth-secret %v warnings %v", resp.StatusCode, cfg["authenticator"], j,
			cfg["auth-secret"], cfg["warnings"])
	}
}

func TestKerberosRouterWithItsCookie(t *testing.T) {
	kdc := krbtest.Start(t)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	r := startAuthRouter(t, ln, "http://"+ln.Addr().String(), func(c *config.Config) {
		c.Authenticator = config.AuthKerberos
		c.Kerberos = config.Kerberos{Keytab: kdc.Keytab, ServicePrincipal: krbtest.ServicePrincipal}
	})
	resp, body := r.get(t, "/apps")
	want401(t, resp, body, "Unauthorized: no Negotiate token", "Negotiate")
	resp, body = r.get(t, "/apps", "Authorization", "Negotiate "+base64.StdEncoding.EncodeToString([]byte("garbage")))
	want401(t, resp, body, "Unauthorized: the Negotiate token is neither", "Negotiate oQcwBaADCgEC")

	login, err := spnego.NewClient(kdc.Client(t), nil, krbtest.ServicePrincipal).Get(r.url + "/waiter-auth")
	if err != nil {
		t.Fatal(err)
	}
	status, user := read(t, login)
	if status != http.StatusOK || user != "alice" || login.Header.Get("x-waiter-auth-method") != "spnego" {
		t.Fatalf("login: %d %q method %q", status, user, login.Header.Get("x-waiter-auth-method"))
	}
	var cookie *http.Cookie
	for _, c := range login.Cookies() {
		if c.Name == "x-waiter-auth" {
			cookie = c
		}
	}
	if cookie == nil || cookie.MaxAge <= 0 {
		t.Fatalf("no x-waiter-auth cookie after a Kerberos login: %v", login.Header.Values("Set-Cookie"))
	}
	resp, body = r.get(t, "/apps", "Cookie", "x-waiter-auth="+cookie.Value, "x-waiter-debug", "1")
	if resp.StatusCode != http.StatusOK || resp.Header.Get("x-waiter-auth-method") != "cookie" || resp.Header.Get("x-waiter-auth-user") != "alice" {
		t.Errorf("with the cookie alone: %d method %q user %q: %s", resp.StatusCode, resp.Header.Get("x-waiter-auth-method"),
			resp.Header.Get("x-waiter-auth-user"), body)
	}
}

func TestCompositeRouterOffersBothChallenges(t *testing.T) {
	kdc := krbtest.Start(t)
	iss, err := jwttest.New("https://issuer.test", "waiter.test", "k1")
	if err != nil {
		t.Fatal(err)
	}
	jwks := filepath.Join(t.TempDir(), "jwks.json")
	if err := iss.WriteJWKS(jwks); err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	r := startAuthRouter(t, ln, "http://"+ln.Addr().String(), func(c *config.Config) {
		c.Authenticator, c.Composite = config.AuthComposite, []string{config.AuthKerberos, config.AuthJWT}
		c.Kerberos = config.Kerberos{Keytab: kdc.Keytab}
		c.JWT = config.JWT{JWKSFile: jwks, Issuer: iss.Name, Audience: iss.Audience}
	})
	resp, body := r.get(t, "/apps")
	host := strings.TrimPrefix(r.url, "http://")
	host = host[:strings.LastIndex(host, ":")]
	want401(t, resp, body, "no credentials for any of Negotiate, Bearer", "Negotiate", `Bearer realm="`+host+`"`)
	resp, body = r.get(t, "/waiter-auth", "Authorization", token(t, iss, "bob@example.test", time.Hour))
	if resp.StatusCode != http.StatusOK || body != "bob" {
		t.Errorf("bearer through the composite: %d %q", resp.StatusCode, body)
	}
	login, err := spnego.NewClient(kdc.Client(t), nil, krbtest.ServicePrincipal).Get(r.url + "/waiter-auth")
	if err != nil {
		t.Fatal(err)
	}
	if status, user := read(t, login); status != http.StatusOK || user != "alice" {
		t.Errorf("negotiate through the composite: %d %q", status, user)
	}
}
