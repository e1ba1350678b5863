package kitchen

// Tests of what each path does on its own.

import (
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
)

func TestHandler_StatusRules(t *testing.T) {
	h, _ := newTestHandler(HandlerConfig{})
	for _, tc := range []struct {
		name   string
		target string
		header map[string]string
		want   int
	}{
		{"bad-status defaults to 500", "/bad-status", nil, 500},
		{"bad-status takes status", "/bad-status?status=404", nil, 404},
		{"sleep defaults to 200", "/sleep", nil, 200},
		{"sleep takes status", "/sleep?status=201", nil, 201},
		{"act-busy answers 503", "/endpoint", map[string]string{"x-kitchen-act-busy": "true"}, 503},
		{"act-busy overrides bad-status", "/bad-status?status=404", map[string]string{"x-kitchen-act-busy": ""}, 503},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if rec := do(h, "GET", tc.target, nil, tc.header); rec.Code != tc.want {
				t.Fatalf("status %d, want %d", rec.Code, tc.want)
			}
		})
	}
}

func TestHandler_NoContentHasNoBody(t *testing.T) {
	h, _ := newTestHandler(HandlerConfig{})
	rec := do(h, "GET", "/bad-status?status=204", nil, nil)
	if rec.Code != http.StatusNoContent || rec.Body.Len() != 0 {
		t.Fatalf("got %d with %d body bytes, want 204 and none", rec.Code, rec.Body.Len())
	}
	if rec.Header().Get("Content-Length") != "" {
		t.Errorf("204 carries Content-Length %q", rec.Header().Get("Content-Length"))
	}
}

func TestHandler_Environment(t *testing.T) {
	h, _ := newTestHandler(HandlerConfig{Environ: func() []string {
		return []string{"PORT0=31000", "WAITER_PASSWORD=secret", "db_Password_file=x", "EMPTY=", "EQ=a=b"}
	}})
	rec := do(h, "GET", "/environment", nil, nil)
	if got := rec.Header().Get("Content-Type"); got != "application/json" {
		t.Errorf("Content-Type %q, want application/json", got)
	}
	var env map[string]string
	if err := json.Unmarshal(rec.Body.Bytes(), &env); err != nil {
		t.Fatalf("body is not a JSON object: %v: %s", err, rec.Body)
	}
	want := map[string]string{"PORT0": "31000", "EMPTY": "", "EQ": "a=b"}
	if len(env) != len(want) {
		t.Fatalf("environment %v, want %v (names containing 'password' removed)", env, want)
	}
	for k, v := range want {
		if env[k] != v {
			t.Errorf("%s = %q, want %q", k, env[k], v)
		}
	}
}

func TestHandler_RequestInfo(t *testing.T) {
	h, _ := newTestHandler(HandlerConfig{})
	rec := do(h, "POST", "/request-info?a=1&b", []byte("abc"), map[string]string{
		"Authorization": "Basic dXNlcjpwYXNzd29yZA==",
		"Cookie":        "x=1; session=0123456789012345678901234567890",
		"X-Custom":      "v",
	})
	if got := rec.Header().Get("Content-Type"); got != "application/json" {
		t.Errorf("Content-Type %q, want application/json", got)
	}
	var info struct {
		ProtocolVersion string         `json:"protocol-version"`
		RequestVersion  string         `json:"request-version"`
		RequestLength   int            `json:"request-length"`
		RequestMethod   string         `json:"request-method"`
		URI             string         `json:"uri"`
		QueryString     *string        `json:"query-string"`
		Headers         map[string]any `json:"headers"`
	}
	if err := json.Unmarshal(rec.Body.Bytes(), &info); err != nil {
		t.Fatalf("decode: %v: %s", err, rec.Body)
	}
	if info.ProtocolVersion != "HTTP/1.1" || info.RequestVersion != "HTTP/1.1" || info.RequestLength != 3 ||
		info.RequestMethod != "post" || info.URI != "/request-info" || info.QueryString == nil || *info.QueryString != "a=1&b" {
		t.Errorf("request info %+v", info)
	}
	if got := info.Headers["authorization"]; got != "Basic dXNlcjpwY..." {
		t.Errorf("authorization %q, want it cut to 15 characters plus ...", got)
	}
	cookies, _ := info.Headers["cookie"].([]any)
	if len(cookies) != 2 || cookies[0] != "x=1" || cookies[1] != " session=0123456789012345..." {
		t.Errorf("cookie %q, want each cookie cut to 25 characters", cookies)
	}
	if info.Headers["x-custom"] != "v" || info.Headers["host"] != "example.com" {
		t.Errorf("headers %v lack x-custom or host", info.Headers)
	}

	// Without a "?" there is no query-string at all.
	rec = do(h, "GET", "/request-info", nil, nil)
	if strings.Contains(rec.Body.String(), "query-string") {
		t.Errorf("query-string reported for a target without '?': %s", rec.Body)
	}
}

func TestHandler_KitchenState(t *testing.T) {
	h, _ := newTestHandler(HandlerConfig{})
	do(h, "GET", "/status", nil, nil)
	do(h, "POST", "/endpoint", nil, nil)
	rec := do(h, "GET", "/kitchen-state", nil, nil)
	if got := rec.Header().Get("Content-Type"); got != "application/json" {
		t.Errorf("Content-Type %q, want application/json", got)
	}
	var state map[string]any
	if err := json.Unmarshal(rec.Body.Bytes(), &state); err != nil {
		t.Fatalf("decode: %v: %s", err, rec.Body)
	}
	want := map[string]float64{"pending-http-requests": 0, "total-http-requests": 3, "pending-ws-requests": 0, "total-ws-requests": 0}
	for k, v := range want {
		if state[k] != v {
			t.Errorf("%s = %v, want %v", k, state[k], v)
		}
	}
	if async, ok := state["async-requests"].(map[string]any); !ok || len(async) != 0 {
		t.Errorf("async-requests = %v, want an empty object", state["async-requests"])
	}
}

func TestHandler_HeadHasNoBody(t *testing.T) {
	h, _ := newTestHandler(HandlerConfig{})
	base, client := startServer(t, h)
	resp := get(t, client, "HEAD", base+"/unchunked", map[string]string{"x-kitchen-response-size": "10"})
	b, err := io.ReadAll(resp.Body)
	if err != nil || len(b) != 0 || resp.ContentLength != 10 {
		t.Fatalf("HEAD: %d body bytes (err %v), Content-Length %d; want none and 10", len(b), err, resp.ContentLength)
	}
}
