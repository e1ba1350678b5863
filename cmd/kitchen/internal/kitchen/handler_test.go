package kitchen

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

func TestHandler_DefaultResponse(t *testing.T) {
	h, _ := newTestHandler(HandlerConfig{})
	// /status is the health check; POST /endpoint is what Waiter's
	// integration tests send; any other path falls back to the same answer.
	for _, tc := range []struct{ method, target string }{
		{"GET", "/status"},
		{"POST", "/endpoint"},
		{"PUT", "/some/other/path?x=1"},
		{"DELETE", "/"},
	} {
		t.Run(tc.method+" "+tc.target, func(t *testing.T) {
			rec := do(h, tc.method, tc.target, []byte("ignored body"), nil)
			if rec.Code != http.StatusOK || rec.Body.String() != "Hello World" {
				t.Fatalf("got %d %q, want 200 %q", rec.Code, rec.Body.String(), "Hello World")
			}
			want := map[string]string{"Connection": "close", "Content-Type": "text/plain", "Content-Length": "11"}
			for k, v := range want {
				if got := rec.Header().Get(k); got != v {
					t.Errorf("%s = %q, want %q", k, got, v)
				}
			}
			if cid := rec.Header().Get("X-Cid"); !uuidPattern.MatchString(cid) {
				t.Errorf("x-cid %q is not a v4 UUID", cid)
			}
		})
	}
}

// With KeepAlive the kitchen lets clients reuse the connection: the only
// difference is the missing Connection: close.
func TestHandler_KeepAlive(t *testing.T) {
	h, _ := newTestHandler(HandlerConfig{KeepAlive: true})
	rec := do(h, "GET", "/status", nil, nil)
	if rec.Code != http.StatusOK || rec.Body.String() != "Hello World" {
		t.Fatalf("got %d %q, want 200 Hello World", rec.Code, rec.Body.String())
	}
	if c := rec.Header().Get("Connection"); c != "" {
		t.Errorf("Connection = %q with KeepAlive, want none", c)
	}
}

func TestHandler_EchoesCID(t *testing.T) {
	h, _ := newTestHandler(HandlerConfig{})
	rec := do(h, "GET", "/status", nil, map[string]string{"x-cid": "my-cid-1"})
	if got := rec.Header().Get("X-Cid"); got != "my-cid-1" {
		t.Fatalf("x-cid = %q, want the request's my-cid-1", got)
	}
}

// blockingBody is a request body that sends head, tells the test it has been
// read, then waits for release before ending (or failing with fail).
type blockingBody struct {
	head    string
	started chan struct{}
	release chan struct{}
	fail    error
	state   int
}

func (b *blockingBody) Read(p []byte) (int, error) {
	switch b.state {
	case 0:
		b.state = 1
		return copy(p, b.head), nil
	case 1:
		b.state = 2
		close(b.started)
		<-b.release
		if b.fail != nil {
			return 0, b.fail
		}
		return copy(p, " Payload"), nil
	default:
		return 0, io.EOF
	}
}

func pendingRequests(t *testing.T, h http.Handler) float64 {
	t.Helper()
	var state map[string]any
	if err := json.Unmarshal(do(h, "GET", "/kitchen-state", nil, nil).Body.Bytes(), &state); err != nil {
		t.Fatalf("decode kitchen state: %v", err)
	}
	return state["pending-http-requests"].(float64)
}

func TestHandler_PendingWhileReadingBody(t *testing.T) {
	h, _ := newTestHandler(HandlerConfig{})
	body := &blockingBody{head: "Delayed", started: make(chan struct{}), release: make(chan struct{})}
	req := httptest.NewRequest("POST", "/", body)
	req.Header.Set("x-kitchen-echo", "true")
	rec := httptest.NewRecorder()
	done := make(chan struct{})
	go func() { defer close(done); h.ServeHTTP(rec, req) }()

	<-body.started
	if got := pendingRequests(t, h); got != 1 {
		t.Errorf("pending-http-requests %v while a request is in flight, want 1", got)
	}
	close(body.release)
	<-done
	if rec.Body.String() != "Delayed Payload" {
		t.Errorf("echo %q, want %q", rec.Body, "Delayed Payload")
	}
	if got := pendingRequests(t, h); got != 0 {
		t.Errorf("pending-http-requests %v after the request ended, want 0", got)
	}
}

func TestHandler_CutShortBodyDropsConnection(t *testing.T) {
	h, _ := newTestHandler(HandlerConfig{})
	body := &blockingBody{head: "Delayed", started: make(chan struct{}), release: make(chan struct{}), fail: io.ErrUnexpectedEOF}
	close(body.release)
	req := httptest.NewRequest("POST", "/", body)
	rec := httptest.NewRecorder()
	if got := recoverPanic(func() { h.ServeHTTP(rec, req) }); got != http.ErrAbortHandler {
		t.Fatalf("panic %v, want http.ErrAbortHandler (drop the connection)", got)
	}
	if rec.Body.Len() != 0 {
		t.Errorf("answered %q to a request whose body broke", rec.Body)
	}
	if got := pendingRequests(t, h); got != 0 {
		t.Errorf("pending-http-requests %v after the broken request, want 0", got)
	}
}

func recoverPanic(f func()) (v any) {
	defer func() { v = recover() }()
	f()
	return nil
}

func TestHandler_DieExitsWithoutAnswering(t *testing.T) {
	h, exits := newTestHandler(HandlerConfig{})
	rec := httptest.NewRecorder()
	if got := recoverPanic(func() { h.ServeHTTP(rec, httptest.NewRequest("GET", "/die", nil)) }); got != http.ErrAbortHandler {
		t.Fatalf("panic %v, want http.ErrAbortHandler", got)
	}
	select {
	case code := <-exits:
		if code != 1 {
			t.Errorf("exit code %d, want 1", code)
		}
	default:
		t.Fatal("/die did not exit")
	}
	if rec.Body.Len() != 0 || rec.Code != http.StatusOK || len(rec.Header()) != 0 {
		t.Errorf("/die wrote a response: %d %v %q", rec.Code, rec.Header(), rec.Body)
	}
}

func TestHandler_TerminateAfterResponse(t *testing.T) {
	h, exits := newTestHandler(HandlerConfig{})
	rec := do(h, "GET", "/endpoint", nil, map[string]string{"x-kitchen-fail-by-terminating-jvm": "true"})
	if rec.Body.String() != "Hello World" {
		t.Errorf("body %q, want the full response before the exit", rec.Body)
	}
	if len(exits) != 1 || <-exits != 1 {
		t.Fatal("x-kitchen-fail-by-terminating-jvm did not exit with 1")
	}
}

func TestHandler_BasicAuth(t *testing.T) {
	h, _ := newTestHandler(HandlerConfig{Username: "waiter", Password: "s3cret"})
	good := "Basic d2FpdGVyOnMzY3JldA==" // base64("waiter:s3cret")
	for _, tc := range []struct {
		name, target, auth string
		want               int
	}{
		{"no credentials", "/endpoint", "", 403},
		{"wrong credentials", "/endpoint", "Basic d2FpdGVyOndyb25n", 403},
		{"right credentials", "/endpoint", good, 200},
		{"status is open", "/status", "", 200},
		{"sleep is open", "/sleep", "", 200},
		{"bad-status is open", "/bad-status?status=418", "", 418},
		{"environment is not open", "/environment", "", 403},
	} {
		t.Run(tc.name, func(t *testing.T) {
			hdr := map[string]string{}
			if tc.auth != "" {
				hdr["Authorization"] = tc.auth
			}
			rec := do(h, "GET", tc.target, nil, hdr)
			if rec.Code != tc.want {
				t.Fatalf("status %d, want %d", rec.Code, tc.want)
			}
			if tc.want == 403 && (rec.Body.Len() != 0 || rec.Header().Get("Content-Length") != "0") {
				t.Errorf("403 should be empty, got %q", rec.Body)
			}
		})
	}
	// Half the credentials configured means no auth, as in the original.
	open, _ := newTestHandler(HandlerConfig{Username: "waiter"})
	if rec := do(open, "GET", "/endpoint", nil, nil); rec.Code != 200 {
		t.Errorf("status %d with only a username configured, want 200", rec.Code)
	}
}

func TestHandler_BadInputIs400(t *testing.T) {
	h, exits := newTestHandler(HandlerConfig{})
	for _, tc := range []struct {
		target string
		header map[string]string
		names  string
	}{
		{"/endpoint", map[string]string{"x-kitchen-delay-ms": "soon"}, "x-kitchen-delay-ms"},
		{"/endpoint", map[string]string{"x-kitchen-delay-ms": "-1"}, "x-kitchen-delay-ms"},
		{"/endpoint", map[string]string{"x-kitchen-response-size": "1k"}, "x-kitchen-response-size"},
		{"/endpoint", map[string]string{"x-kitchen-fail-after": "-5"}, "x-kitchen-fail-after"},
		{"/endpoint", map[string]string{"x-kitchen-chunk-size": "x"}, "x-kitchen-chunk-size"},
		{"/endpoint", map[string]string{"x-kitchen-die-after-ms": "later"}, "x-kitchen-die-after-ms"},
		{"/endpoint", map[string]string{"x-kitchen-default-status-value": "99"}, "x-kitchen-default-status-value"},
		{"/bad-status?status=abc", nil, "status"},
		{"/bad-status?status=1000", nil, "status"},
		{"/sleep?sleep-ms=-3", nil, "sleep-ms"},
	} {
		t.Run(tc.names, func(t *testing.T) {
			rec := do(h, "GET", tc.target, nil, tc.header)
			if rec.Code != http.StatusBadRequest || !strings.Contains(rec.Body.String(), tc.names) {
				t.Fatalf("got %d %q, want 400 naming %s", rec.Code, rec.Body, tc.names)
			}
		})
	}
	if len(exits) != 0 {
		t.Error("a rejected request armed an exit")
	}
	// A negative die-after is ignored, as in the original.
	if rec := do(h, "GET", "/endpoint", nil, map[string]string{"x-kitchen-die-after-ms": "-1"}); rec.Code != 200 {
		t.Errorf("negative x-kitchen-die-after-ms: status %d, want 200", rec.Code)
	}
}
