package acceptance

import (
	"encoding/json"
	"mime"
	"net/http"
	"strings"
	"testing"
)

// Ports of test-error-handling (basic_test.clj), response_headers_test.clj
// and request_method_test.clj (with the "http methods" part of
// test-basic-functionality).

// mediaType is the Content-Type without parameters ("text/plain" for
// "text/plain; charset=utf-8").
func mediaType(r response) string {
	mt, _, err := mime.ParseMediaType(r.Header.Get("content-type"))
	if err != nil {
		return r.Header.Get("content-type")
	}
	return mt
}

// test-error-handling: errors are text/plain by default, HTML or JSON
// (a "waiter-error" object) by negotiation on Accept or Content-Type.
func TestErrorHandling(t *testing.T) {
	t.Parallel()
	rt := sharedRouter(t)
	plain := func(t *testing.T, r response) {
		expectStatus(t, r, http.StatusNotFound)
		if mt := mediaType(r); mt != "text/plain" {
			t.Errorf("content-type %q, want text/plain", mt)
		}
		expectBody(t, r, "Waiter Error 404", "================")
	}
	jsonErr := func(t *testing.T, r response) {
		expectStatus(t, r, http.StatusNotFound)
		if mt := mediaType(r); mt != "application/json" {
			t.Errorf("content-type %q, want application/json", mt)
		}
		var body struct {
			Error *struct {
				Status  int    `json:"status"`
				Message string `json:"message"`
				CID     string `json:"cid"`
			} `json:"waiter-error"`
		}
		if err := json.Unmarshal([]byte(r.Body), &body); err != nil || body.Error == nil {
			t.Fatalf("no waiter-error object in %s", r)
		}
		if body.Error.Status != http.StatusNotFound || body.Error.Message == "" || body.Error.CID != r.Header.Get("x-cid") {
			t.Errorf("waiter-error = %+v, want status 404, a message and the response's x-cid", *body.Error)
		}
	}
	t.Run("text/plain default", func(t *testing.T) { plain(t, rt.get("/404")) })
	t.Run("text/plain explicit", func(t *testing.T) {
		plain(t, rt.request(http.MethodGet, "/404", map[string]string{"accept": "text/plain"}, nil))
	})
	t.Run("text/html", func(t *testing.T) {
		r := rt.request(http.MethodGet, "/404", map[string]string{"accept": "text/html"}, nil)
		expectStatus(t, r, http.StatusNotFound)
		if mt := mediaType(r); mt != "text/html" {
			t.Errorf("content-type %q, want text/html", mt)
		}
		expectBody(t, r, "Waiter Error 404", "<html>")
	})
	t.Run("application/json explicit", func(t *testing.T) {
		jsonErr(t, rt.request(http.MethodGet, "/404", map[string]string{"accept": "application/json"}, nil))
	})
	t.Run("application/json implied by content-type", func(t *testing.T) {
		jsonErr(t, rt.request(http.MethodGet, "/404", map[string]string{"content-type": "application/json"}, nil))
	})
}

// debugHeaders are the headers only x-waiter-debug adds (Waiter's
// retrieve-debug-response-headers without a Mesos agent).
var debugHeaders = []string{"x-waiter-backend-id", "x-waiter-backend-host", "x-waiter-backend-port",
	"x-waiter-backend-proto", "x-waiter-backend-response-ns", "x-waiter-get-available-instance-ns",
	"x-waiter-router-id"}

// test-response-headers: x-cid on every response (the client's own when
// it sent one); debug headers exactly when x-waiter-debug is sent.
func TestResponseHeaders(t *testing.T) {
	t.Parallel()
	rt := sharedRouter(t)
	h := map[string]string{"x-waiter-name": randName(t)}
	rt.cleanupService(t, rt.serviceIDOf(t, kitchenHeaders(h)))
	expectStatus(t, rt.kitchen(h), http.StatusOK)

	noDebug := map[string]string{"x-waiter-name": h["x-waiter-name"], "x-waiter-debug": ""}
	t.Run("without x-waiter-debug", func(t *testing.T) {
		r := rt.kitchen(noDebug)
		expectStatus(t, r, http.StatusOK)
		if r.Header.Get("x-cid") == "" {
			t.Errorf("no x-cid: %v", r.Header)
		}
		for _, k := range debugHeaders {
			if v := r.Header.Get(k); v != "" {
				t.Errorf("debug header %s = %q without x-waiter-debug", k, v)
			}
		}
	})
	t.Run("with x-waiter-debug", func(t *testing.T) {
		r := rt.kitchen(h)
		expectStatus(t, r, http.StatusOK)
		for _, k := range append([]string{"x-cid"}, debugHeaders...) {
			if strings.TrimSpace(r.Header.Get(k)) == "" {
				t.Errorf("no %s with x-waiter-debug: %v", k, r.Header)
			}
		}
	})
	t.Run("client x-cid echoed", func(t *testing.T) {
		const cid = "1234567890"
		withCID := map[string]string{"x-cid": cid}
		for k, v := range noDebug {
			withCID[k] = v
		}
		r := rt.kitchen(withCID)
		expectStatus(t, r, http.StatusOK)
		if got := r.Header.Get("x-cid"); got != cid {
			t.Errorf("x-cid = %q, want the client's %q", got, cid)
		}
		for _, k := range debugHeaders {
			if v := r.Header.Get(k); v != "" {
				t.Errorf("debug header %s = %q without x-waiter-debug", k, v)
			}
		}
	})
	t.Run("x-cid on Waiter API responses and errors", func(t *testing.T) {
		for _, path := range []string{"/apps", "/404"} {
			if r := rt.get(path); r.Header.Get("x-cid") == "" {
				t.Errorf("GET %s: no x-cid: %v", path, r.Header)
			}
		}
		if r := rt.request(http.MethodGet, "/404", map[string]string{"x-cid": "abc-123"}, nil); r.Header.Get("x-cid") != "abc-123" {
			t.Errorf("GET /404: x-cid %q, want the client's abc-123", r.Header.Get("x-cid"))
		}
	})
}

// test-request-method: bodies are proxied with GET, POST and PUT; every
// method reaches the backend as itself, HEAD with an empty body.
func TestRequestMethods(t *testing.T) {
	t.Parallel()
	rt := sharedRouter(t)
	const lorem = "Lorem ipsum dolor sit amet, consectetur adipiscing elit."
	h := map[string]string{"x-waiter-name": randName(t), "x-kitchen-echo": "true"}
	rt.cleanupService(t, rt.serviceIDOf(t, kitchenHeaders(h)))
	expectStatus(t, rt.kitchen(h), http.StatusOK)

	for _, m := range []string{http.MethodGet, http.MethodPost, http.MethodPut} {
		r := rt.kitchenAt(m, "/endpoint", h, strings.NewReader(lorem))
		expectStatus(t, r, http.StatusOK)
		if r.Body != lorem {
			t.Errorf("%s echo = %q, want %q", m, r.Body, lorem)
		}
	}

	plain := map[string]string{"x-waiter-name": h["x-waiter-name"]}
	head := rt.kitchenAt(http.MethodHead, "/request-info", plain, nil)
	expectStatus(t, head, http.StatusOK)
	if head.Body != "" {
		t.Errorf("HEAD body = %q, want none", head.Body)
	}
	for _, m := range []string{"DELETE", "COPY", "GET", "MOVE", "PATCH", "POST", "PUT", "OPTIONS", "LOCK",
		"UNLOCK", "MKCOL", "PROPFIND", "PROPPATCH"} {
		r := rt.kitchenAt(m, "/request-info", plain, nil)
		expectStatus(t, r, http.StatusOK)
		var info struct {
			Method string `json:"request-method"`
		}
		r.json(t, &info)
		if info.Method != strings.ToLower(m) {
			t.Errorf("%s reached the backend as %q", m, info.Method)
		}
	}
}
