package waiterhttp

import (
	"net/http"
	"net/http/httptest"
	"testing"
)

func TestClassify(t *testing.T) {
	c := newClassifier([]string{"waiter.example", "Router.Local:9091"})
	cases := []struct {
		name    string
		host    string
		path    string
		headers map[string]string
		api     bool
	}{
		{"own host, no headers", "waiter.example:9091", "/apps", nil, true},
		{"localhost", "localhost:9091", "/anything", nil, true},
		{"loopback ip", "127.0.0.1", "/status", nil, true},
		{"ipv6 loopback", "[::1]:9091", "/status", nil, true},
		{"configured name is case-insensitive and port-free", "ROUTER.local", "/apps", nil, true},
		{"blank host", "", "/apps", nil, true},
		{"debug header alone stays API", "localhost", "/apps", map[string]string{"x-waiter-debug": "true"}, true},
		{"service header makes a proxy request", "localhost", "/apps", map[string]string{"x-waiter-cmd": "ls"}, false},
		{"token header makes a proxy request", "localhost", "/hello", map[string]string{"x-waiter-token": "t"}, false},
		{"foreign host names a token", "my-token.example:80", "/apps", nil, false},
		{"reserved path with service headers", "localhost", "/service-id", map[string]string{"x-waiter-cmd": "ls"}, true},
		{"token path on foreign host", "my-token.example", "/token", nil, true},
		{"waiter-ping on foreign host", "my-token.example", "/waiter-ping", nil, true},
		{"async status path", "svc.example", "/waiter-async/status/a/b", nil, true},
		{"async v2 result path", "svc.example", "/waiter-async/v2/result/a", nil, true},
		{"waiter-auth path", "svc.example", "/waiter-auth/x", nil, true},
		{"waiter-consent path", "svc.example", "/waiter-consent", nil, true},
		{"near miss path is proxied", "svc.example", "/waiter-asyncx/status/", nil, false},
		{"well-known auth", "svc.example", "/.well-known/auth/expires-at", nil, true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := httptest.NewRequest(http.MethodGet, tc.path, nil)
			r.Host = tc.host
			for k, v := range tc.headers {
				r.Header.Set(k, v)
			}
			if got := c.isAPI(r); got != tc.api {
				t.Errorf("isAPI = %v, want %v", got, tc.api)
			}
		})
	}
}

func TestHostToken(t *testing.T) {
	c := newClassifier([]string{"waiter.example"})
	for host, want := range map[string]string{
		"my-token.example:8080": "my-token.example",
		"waiter.example":        "",
		"localhost:9091":        "",
		"":                      "",
		"[2001:db8::1]:80":      "2001:db8::1",
	} {
		r := httptest.NewRequest(http.MethodGet, "/", nil)
		r.Host = host
		if got := c.hostToken(r); got != want {
			t.Errorf("hostToken(%q) = %q, want %q", host, got, want)
		}
	}
}
