package kitchen

// Tests of the x-kitchen-* request headers that shape the response.

import (
	"net/http"
	"strings"
	"testing"
)

func TestHandler_Echo(t *testing.T) {
	h, _ := newTestHandler(HandlerConfig{})
	rec := do(h, "POST", "/endpoint", []byte("some text I want back"), map[string]string{"x-kitchen-echo": ""})
	if rec.Code != http.StatusOK || rec.Body.String() != "some text I want back" {
		t.Fatalf("got %d %q, want the request body back", rec.Code, rec.Body.String())
	}
	if got := rec.Header().Get("Content-Length"); got != "21" {
		t.Errorf("Content-Length = %q, want 21", got)
	}
}

func TestHandler_ResponseSize(t *testing.T) {
	h, _ := newTestHandler(HandlerConfig{})
	for _, tc := range []struct {
		name, target, size string
		want               string
	}{
		{"cuts the default body", "/status", "5", "Hello"},
		{"never grows a fixed body", "/status", "100", "Hello World"},
		{"sizes generated lorem ipsum", "/unchunked", "250", string(lorem(250))},
		{"zero is empty", "/unchunked", "0", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rec := do(h, "GET", tc.target, nil, map[string]string{"x-kitchen-response-size": tc.size})
			if got := rec.Body.String(); got != tc.want {
				t.Fatalf("body %q, want %q", got, tc.want)
			}
			if got, want := rec.Header().Get("Content-Length"), len(tc.want); got != itoa(want) {
				t.Errorf("Content-Length %q, want %d", got, want)
			}
		})
	}
}

func TestHandler_ContentTypeAndCookies(t *testing.T) {
	h, _ := newTestHandler(HandlerConfig{})
	rec := do(h, "GET", "/endpoint", nil, map[string]string{
		"x-kitchen-content-type": "text/html",
		"x-kitchen-cookies":      "c=d e,a=b,c=last",
	})
	if got := rec.Header().Get("Content-Type"); got != "text/html" {
		t.Errorf("Content-Type %q, want text/html", got)
	}
	// Sorted by name, last value of a repeated name, values query-escaped.
	want := []string{"a=b", "c=last"}
	if got := rec.Header().Values("Set-Cookie"); strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("Set-Cookie %q, want %q", got, want)
	}
	rec = do(h, "GET", "/endpoint", nil, map[string]string{"x-kitchen-cookies": "k=v w"})
	if got := rec.Header().Get("Set-Cookie"); got != "k=v+w" {
		t.Errorf("Set-Cookie %q, want the value escaped like Python's quote_plus (k=v+w)", got)
	}
}

func TestHandler_IncludeRequestInfoHeaders(t *testing.T) {
	h, _ := newTestHandler(HandlerConfig{})
	rec := do(h, "PUT", "/endpoint?include=request-info", []byte("12345"), nil)
	want := map[string]string{
		"X-Kitchen-Protocol-Version": "HTTP/1.1",
		"X-Kitchen-Request-Length":   "5",
		"X-Kitchen-Request-Method":   "put",
		"X-Kitchen-Request-Version":  "HTTP/1.1",
	}
	for k, v := range want {
		if got := rec.Header().Get(k); got != v {
			t.Errorf("%s = %q, want %q", k, got, v)
		}
	}
	if rec.Body.String() != "Hello World" {
		t.Errorf("body %q, want the default", rec.Body)
	}
}

func TestHandler_ExcludeHeaders(t *testing.T) {
	h, _ := newTestHandler(HandlerConfig{})
	rec := do(h, "GET", "/endpoint", nil, map[string]string{"x-kitchen-exclude-headers": "X-Cid, connection"})
	if rec.Header().Get("X-Cid") != "" || rec.Header().Get("Connection") != "" {
		t.Errorf("excluded headers still sent: %v", rec.Header())
	}
	if rec.Header().Get("Content-Type") != "text/plain" {
		t.Errorf("a header that was not excluded went missing: %v", rec.Header())
	}
}

func TestHandler_DefaultStatusNeedsFlag(t *testing.T) {
	h, _ := newTestHandler(HandlerConfig{})
	do(h, "GET", "/endpoint", nil, map[string]string{"x-kitchen-default-status-value": "400"})
	if rec := do(h, "GET", "/status", nil, nil); rec.Code != 200 {
		t.Fatalf("/status %d without --enable-status-change, want 200", rec.Code)
	}
}

func TestParseCookies(t *testing.T) {
	got := parseCookies("b=2,a,c=x=y")
	want := [][2]string{{"a", ""}, {"b", "2"}, {"c", "x=y"}}
	if len(got) != len(want) {
		t.Fatalf("got %q, want %q", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("[%d] = %q, want %q", i, got[i], want[i])
		}
	}
}
