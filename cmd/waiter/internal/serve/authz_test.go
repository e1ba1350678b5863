package serve

import (
	"os/user"
	"strings"
	"testing"

	"github.com/waiter-go/waiter/cmd/waiter/internal/config"
)

// With no admins configured, the OS user running the router is the admin
// (Waiter's simple entitlement manager), so the one-user quick start may
// do everything; configured admins replace it.
func TestDefaultAdminIsTheRouterUser(t *testing.T) {
	me, err := user.Current()
	if err != nil {
		t.Fatalf("current user: %v", err)
	}
	cfg := config.Default()
	fillIdentity(&cfg)
	if len(cfg.Admins) != 1 || cfg.Admins[0] != me.Username || cfg.RunAsUser != me.Username {
		t.Errorf("admins %v run-as-user %q, want both the OS user %q", cfg.Admins, cfg.RunAsUser, me.Username)
	}
	cfg = config.Default()
	cfg.Admins = []string{"ops"}
	fillIdentity(&cfg)
	if len(cfg.Admins) != 1 || cfg.Admins[0] != "ops" {
		t.Errorf("configured admins became %v", cfg.Admins)
	}
}

// The one user of a router whose admins are others may not administer.
func TestConfiguredAdmins(t *testing.T) {
	r := startRouter(t, nil, func(c *config.Config) { c.Admins = []string{"ops"} })
	status, body := read(t, r.call(t, "POST", "/token?update-mode=admin", strings.NewReader(`{"token": "t1", "cpus": 1}`)))
	wantBody(t, status, body, 403, "Cannot administer token t1: update-mode=admin is for the router's admins, and alice is not one")
	status, body = read(t, r.call(t, "POST", "/token", strings.NewReader(`{"token": "t1", "cpus": 1}`)))
	wantBody(t, status, body, 200)
	status, body = read(t, r.call(t, "DELETE", "/token?token=t1", nil))
	wantBody(t, status, body, 200)
	status, body = read(t, r.call(t, "DELETE", "/token?token=t1&hard-delete=true", nil))
	wantBody(t, status, body, 403, "Cannot hard-delete token t1")
	status, body = read(t, r.call(t, "GET", "/settings", nil))
	wantBody(t, status, body, 200, `"admins": [`, `"ops"`)
}

// The browser-safety rules through the real server: what a foreign page
// can make a browser send is refused; curl and allowed origins pass.
func TestBrowserSafety(t *testing.T) {
	r := startRouter(t, nil, func(c *config.Config) { c.CORSAllowedOrigins = []string{"https://ui.example.com"} })
	token := func(name string) *strings.Reader {
		return strings.NewReader(`{"token": "` + name + `", "cpus": 1}`)
	}
	status, body := read(t, r.call(t, "POST", "/token", token("t1"), "Content-Type", "text/plain"))
	wantBody(t, status, body, 415, "Unsupported Media Type: POST /token needs Content-Type: application/json (got text/plain)")
	status, body = read(t, r.call(t, "POST", "/token", token("t1"), "Origin", "https://evil.example"))
	wantBody(t, status, body, 403, "Cross-origin request not allowed: origin https://evil.example may not POST /token")
	status, _ = read(t, r.call(t, "GET", "/token?token=t1", nil))
	if status != 404 {
		t.Fatalf("a refused write left token t1 (GET: %d)", status)
	}
	resp := r.call(t, "POST", "/token", token("t1"), "Origin", "https://ui.example.com")
	status, body = read(t, resp)
	wantBody(t, status, body, 200, "Successfully created t1")
	if resp.Header.Get("Access-Control-Allow-Origin") != "https://ui.example.com" {
		t.Errorf("allowed origin not told it may read the answer: %v", resp.Header)
	}
	status, body = read(t, r.call(t, "POST", "/token", token("t2")))
	wantBody(t, status, body, 200, "Successfully created t2")
	status, body = read(t, r.call(t, "GET", "/settings", nil))
	wantBody(t, status, body, 200, `"cors-allowed-origins": [`, `"https://ui.example.com"`)
}
