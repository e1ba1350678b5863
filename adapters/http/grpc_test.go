package waiterhttp

import (
	"net/http"
	"net/http/httptest"
	"testing"
	"time"
)

func TestParseGRPCTimeout(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want time.Duration
		ok   bool
	}{
		{"1H", time.Hour, true},
		{"2M", 2 * time.Minute, true},
		{"3S", 3 * time.Second, true},
		{"250m", 250 * time.Millisecond, true},
		{"1500u", 1500 * time.Microsecond, true},
		{"99999999n", 99999999, true},
		{"", 0, false},
		{"5", 0, false},
		{"5x", 0, false},
		{"-5S", 0, false},
		{"123456789S", 0, false}, // more than 8 digits
		{"S", 0, false},
	} {
		got, ok := parseGRPCTimeout(tc.in)
		if got != tc.want || ok != tc.ok {
			t.Errorf("parseGRPCTimeout(%q) = %v %v, want %v %v", tc.in, got, ok, tc.want, tc.ok)
		}
	}
}

func TestGRPCQueueTimeout(t *testing.T) {
	call := func(ct, timeout string, major int) *http.Request {
		r := httptest.NewRequest(http.MethodPost, "/pkg.Svc/Call", nil)
		r.ProtoMajor = major
		r.Header.Set("Content-Type", ct)
		if timeout != "" {
			r.Header.Set("grpc-timeout", timeout)
		}
		return r
	}
	rs := &resolved{}
	if d, ok := grpcQueueTimeout(call("application/grpc", "2S", 2), rs); !ok || d != 2100*time.Millisecond {
		t.Errorf("grpc-timeout 2S: %v %v, want 2.1s (the deadline plus 100 ms)", d, ok)
	}
	if d, ok := grpcQueueTimeout(call("application/grpc+proto", "5H", 2), rs); !ok || d != maxTimeout {
		t.Errorf("grpc-timeout 5H: %v %v, want the one-hour cap", d, ok)
	}
	for name, r := range map[string]*http.Request{
		"HTTP/1.1":   call("application/grpc", "2S", 1),
		"not gRPC":   call("application/json", "2S", 2),
		"no timeout": call("application/grpc", "", 2),
		"malformed":  call("application/grpc", "2s", 2),
	} {
		if d, ok := grpcQueueTimeout(r, rs); ok {
			t.Errorf("%s: queue timeout %v, want none", name, d)
		}
	}
	explicit := &resolved{}
	explicit.headers.Request.QueueTimeout = time.Second
	if _, ok := grpcQueueTimeout(call("application/grpc", "2S", 2), explicit); ok {
		t.Error("x-waiter-queue-timeout given: grpc-timeout must not override it")
	}
}

// add-grpc-status-headers' table.
func TestGRPCStatusOf(t *testing.T) {
	for status, want := range map[int]string{400: "3", 401: "16", 403: "7", 429: "14", 500: "13", 502: "14", 503: "14", 504: "4"} {
		if code, _, ok := grpcStatusOf(status); !ok || code != want {
			t.Errorf("grpcStatusOf(%d) = %q %v, want %q", status, code, ok, want)
		}
	}
	for _, status := range []int{404, 405, 409, 410} {
		if code, _, ok := grpcStatusOf(status); ok {
			t.Errorf("grpcStatusOf(%d) = %q, want none (Waiter maps none)", status, code)
		}
	}
}

func TestEncodeGRPCMessage(t *testing.T) {
	for in, want := range map[string]string{
		"plain text":   "plain text",
		"100% done":    "100%25 done",
		"line\nbreak":  "line%0Abreak",
		"caf\u00e9":    "caf%C3%A9",
		"a\x7fb":       "a%7Fb",
		"~ is printed": "~ is printed",
	} {
		if got := encodeGRPCMessage(in); got != want {
			t.Errorf("encodeGRPCMessage(%q) = %q, want %q", in, got, want)
		}
	}
}
