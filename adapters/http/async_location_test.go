package waiterhttp

import (
	"net/http"
	"net/url"
	"testing"
	"time"
)

func TestNormalizeLocation(t *testing.T) {
	endpoint, _ := url.Parse("http://10.0.0.1:31000/async/request?x=1")
	for _, tc := range []struct{ in, want string }{
		{"", ""},
		{"/async/status?request-id=7", "/async/status?request-id=7"},
		{"status?request-id=7", "/async/status?request-id=7"},
		{"../a/./b", "/a/b"},
		{"http://10.0.0.1:31000/done", "/done"},
		{"http://10.0.0.1:31001/done", "http://10.0.0.1:31001/done"},
		{"https://10.0.0.1:31000/done", "https://10.0.0.1:31000/done"},
		{"http://elsewhere.example/x", "http://elsewhere.example/x"},
		{"//elsewhere.example/x", "http://elsewhere.example/x"},
	} {
		if got := normalizeLocation(endpoint, tc.in); got != tc.want {
			t.Errorf("normalizeLocation(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestAsyncLocation(t *testing.T) {
	endpoint, _ := url.Parse("http://10.0.0.1:31000/async/request?q=1")
	h := func(loc string) http.Header { return http.Header{"Location": {loc}} }
	for _, tc := range []struct {
		status          int
		loc             string
		ok              bool
		location, query string
	}{
		{202, "/async/status?request-id=7", true, "/async/status", "request-id=7"},
		{202, "status", true, "/async/status", ""},
		{202, "http://10.0.0.1:31000/s?a=b", true, "/s", "a=b"},
		{202, "http://other:1/s", false, "", ""},
		{202, "", false, "", ""},
		{200, "/async/status", false, "", ""},
		{201, "/created", false, "", ""},
	} {
		loc, q, ok := asyncLocation(endpoint, tc.status, h(tc.loc))
		if ok != tc.ok || loc != tc.location || q != tc.query {
			t.Errorf("asyncLocation(%d, %q) = %q %q %v, want %q %q %v", tc.status, tc.loc, loc, q, ok, tc.location, tc.query, tc.ok)
		}
	}
}

func TestAsyncURI(t *testing.T) {
	ref := asyncRef{RequestID: "r 1", RouterID: "router/a", ServiceID: "waiter-service-x", Host: "10.0.0.1", Port: 31000}
	got := asyncURI("status", ref, "/async/status", "request-id=7")
	want := "/waiter-async/status/r+1/router%2Fa/waiter-service-x/10.0.0.1/31000/async/status?request-id=7"
	if got != want {
		t.Errorf("asyncURI = %q, want %q", got, want)
	}
	if got := asyncURI("result", ref, "/r", ""); got != "/waiter-async/result/r+1/router%2Fa/waiter-service-x/10.0.0.1/31000/r" {
		t.Errorf("asyncURI without query = %q", got)
	}
}

// sanitize-check-interval: at most 50 checks per timeout.
func TestAsyncCheckInterval(t *testing.T) {
	for _, tc := range []struct{ timeout, asked, want time.Duration }{
		{60 * time.Second, 3 * time.Second, 3 * time.Second},
		{60 * time.Second, 100 * time.Millisecond, 1200 * time.Millisecond},
		{10 * time.Second, 200 * time.Millisecond, 200 * time.Millisecond},
		{4 * time.Hour, 3 * time.Second, 288 * time.Second},
		{999 * time.Millisecond, time.Millisecond, 19 * time.Millisecond},
	} {
		if got := asyncCheckInterval(tc.timeout, tc.asked); got != tc.want {
			t.Errorf("asyncCheckInterval(%v, %v) = %v, want %v", tc.timeout, tc.asked, got, tc.want)
		}
	}
}

func TestClassifyAsyncStatus(t *testing.T) {
	endpoint, _ := url.Parse("http://10.0.0.1:31000/async/status?request-id=7")
	loc := func(l string) http.Header { return http.Header{"Location": {l}} }
	for _, tc := range []struct {
		status int
		h      http.Header
		want   asyncCheck
	}{
		{200, nil, asyncPending},
		{303, loc("/async/result?request-id=7"), asyncPending},
		{303, loc("http://elsewhere/x"), asyncCompleted},
		{410, nil, asyncCompleted},
		{500, nil, asyncCompleted},
		{404, nil, asyncCompleted},
	} {
		if got := classifyAsyncStatus(endpoint, tc.status, tc.h); got != tc.want {
			t.Errorf("classifyAsyncStatus(%d, %v) = %v, want %v", tc.status, tc.h, got, tc.want)
		}
	}
}

func TestStatusEndsAsync(t *testing.T) {
	endpoint, _ := url.Parse("http://10.0.0.1:31000/async/status")
	loc := func(l string) http.Header { return http.Header{"Location": {l}} }
	for _, tc := range []struct {
		method string
		status int
		h      http.Header
		want   bool
	}{
		{"GET", 200, nil, false},
		{"GET", 410, nil, true},
		{"GET", 303, loc("/async/result"), false},
		{"GET", 303, loc("http://elsewhere/x"), true},
		{"DELETE", 204, nil, true},
		{"DELETE", 200, nil, true},
		{"DELETE", 405, nil, false},
		{"POST", 204, nil, false},
	} {
		if got := statusEndsAsync(tc.method, endpoint, tc.status, tc.h); got != tc.want {
			t.Errorf("statusEndsAsync(%s %d %v) = %v, want %v", tc.method, tc.status, tc.h, got, tc.want)
		}
	}
}
