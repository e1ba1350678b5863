package waiterhttp

import (
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/waiter-go/waiter"
	"github.com/waiter-go/waiter/engine"
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

// grpcRoundTripper answers every call as a gRPC backend would, with the
// given grpc-status in its headers (a Trailers-Only response).
type grpcRoundTripper string

func (code grpcRoundTripper) RoundTrip(r *http.Request) (*http.Response, error) {
	h := http.Header{"Content-Type": {"application/grpc"}, "Grpc-Status": {string(code)}}
	return &http.Response{StatusCode: http.StatusOK, Proto: "HTTP/2.0", ProtoMajor: 2, Header: h,
		Body: http.NoBody, ContentLength: -1, Request: r}, nil
}

// A backend's UNAVAILABLE ejects its instance like a 503 (Waiter's
// service-unavailable?); other statuses are the service's answer; the
// call carries te: trailers to the backend.
func TestGRPCUnavailableIsInstanceBusy(t *testing.T) {
	for code, want := range map[string]engine.Outcome{"14": engine.OutcomeInstanceBusy, "0": engine.OutcomeSuccess, "9": engine.OutcomeSuccess} {
		var te string
		e := newTestEdge(t, func(c *Config) {
			c.Transport = roundTripFunc(func(r *http.Request) (*http.Response, error) {
				te = r.Header.Get("Te")
				return grpcRoundTripper(code).RoundTrip(r)
			})
		})
		e.router.admit = func(a waiter.Admission) (waiter.Grant, error) {
			return waiter.Grant{Request: 1, Service: a.Description.ID, Instance: "i1", Host: "127.0.0.1", Port: 1}, nil
		}
		r := httptest.NewRequest(http.MethodPost, "/pkg.Svc/Call", nil)
		r.Proto, r.ProtoMajor, r.ProtoMinor = "HTTP/2.0", 2, 0
		for k, v := range kitchenHeaders() {
			r.Header.Set(k, v)
		}
		r.Header.Set("Content-Type", "application/grpc")
		r.Header.Set("Te", "trailers")
		rec := httptest.NewRecorder()
		e.srv.ServeHTTP(rec, r)
		if rec.Header().Get("Grpc-Status") != code {
			t.Errorf("grpc-status %s: the client got %q", code, rec.Header().Get("Grpc-Status"))
		}
		if len(e.router.released) != 1 || e.router.released[0] != want {
			t.Errorf("grpc-status %s: released %v, want %v", code, e.router.released, want)
		}
		if te != "trailers" {
			t.Errorf("the backend got te %q, want trailers", te)
		}
	}
}

// The router's own errors reach a gRPC client as Waiter's status with
// grpc-status and grpc-message, and no body; other clients get the page.
func TestGRPCClientGetsRouterErrorAsStatus(t *testing.T) {
	e := newTestEdge(t)
	r := httptest.NewRequest(http.MethodPost, "/pkg.Svc/Call", nil)
	r.Proto, r.ProtoMajor, r.ProtoMinor = "HTTP/2.0", 2, 0
	for k, v := range kitchenHeaders() {
		r.Header.Set(k, v)
	}
	r.Header.Set("Content-Type", "application/grpc")
	rec := httptest.NewRecorder()
	e.srv.ServeHTTP(rec, r) // the fake router times every request out
	if rec.Code != http.StatusServiceUnavailable || rec.Header().Get("Grpc-Status") != grpcUnavailable ||
		rec.Header().Get("Grpc-Message") != "no instance" || rec.Body.Len() != 0 {
		t.Errorf("queue timeout for a gRPC client: %d grpc-status %q grpc-message %q body %q; want 503, 14, the message, no body",
			rec.Code, rec.Header().Get("Grpc-Status"), rec.Header().Get("Grpc-Message"), rec.Body.String())
	}
	if ct := rec.Header().Get("Content-Type"); ct != "application/grpc" {
		t.Errorf("content-type %q, want application/grpc", ct)
	}
	r.Header.Set("Content-Type", "application/json")
	rec = httptest.NewRecorder()
	e.srv.ServeHTTP(rec, r)
	if rec.Header().Get("Grpc-Status") != "" || rec.Body.Len() == 0 {
		t.Errorf("a JSON client got a gRPC error: %v %q", rec.Header(), rec.Body.String())
	}
}

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }
