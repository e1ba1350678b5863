package waiterhttp

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/waiter-go/waiter"
	"github.com/waiter-go/waiter/engine"
)

func TestErrorContentType(t *testing.T) {
	cases := []struct{ accept, contentType, want string }{
		{"", "", ctText},
		{"*/*", "", ctText},
		{"application/json", "", ctJSON},
		{"text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8", "", ctHTML},
		{"text/plain", "application/json", ctText},
		{"", "application/json; charset=utf-8", ctJSON},
		{"application/json, text/html", "", ctJSON},
	}
	for _, tc := range cases {
		r := httptest.NewRequest(http.MethodGet, "/", nil)
		if tc.accept != "" {
			r.Header.Set("Accept", tc.accept)
		}
		if tc.contentType != "" {
			r.Header.Set("Content-Type", tc.contentType)
		}
		if got := errorContentType(r); got != tc.want {
			t.Errorf("Accept %q Content-Type %q: %s, want %s", tc.accept, tc.contentType, got, tc.want)
		}
	}
}

// A refused proxied request renders in every content type with Waiter's
// fields, and keeps x-cid.
func TestErrorRendering(t *testing.T) {
	e := newTestEdge(t)
	e.router.admit = func(waiter.Admission) (waiter.Grant, error) {
		return waiter.Grant{}, &engine.Error{Code: engine.CodeUnavailable, Reason: engine.ReasonQueueFull,
			Message: engine.MsgMaxQueueLength, Details: []engine.Detail{{Key: "outstanding-requests", Value: "3"}}}
	}
	id := describe(t).ID

	rec := e.do(t, req{path: "/x", headers: kitchenHeaders("x-cid", "my-cid")})
	wantStatus(t, rec, http.StatusServiceUnavailable)
	if got := rec.Header().Get("x-cid"); got != "my-cid" {
		t.Errorf("x-cid %q, want the client's", got)
	}
	if ct := rec.Header().Get("Content-Type"); !strings.HasPrefix(ct, "text/plain") {
		t.Errorf("default content type %q, want text/plain", ct)
	}
	text := rec.Body.String()
	for _, want := range []string{"Waiter Error 503", engine.MsgMaxQueueLength, "my-cid", id, "outstanding-requests: 3"} {
		if !strings.Contains(text, want) {
			t.Errorf("text body lacks %q:\n%s", want, text)
		}
	}

	rec = e.do(t, req{path: "/x", headers: kitchenHeaders("Accept", "application/json", "x-cid", "c2")})
	wantStatus(t, rec, http.StatusServiceUnavailable)
	we, ok := decodeJSON(t, rec)["waiter-error"].(map[string]any)
	if !ok {
		t.Fatalf("no waiter-error object: %s", rec.Body.String())
	}
	if we["message"] != engine.MsgMaxQueueLength || we["status"] != 503.0 || we["cid"] != "c2" || we["service-id"] != id {
		t.Errorf("waiter-error = %v", we)
	}
	if d, _ := we["details"].(map[string]any); d["outstanding-requests"] != 3.0 || d["reason"] != "queue-full" {
		t.Errorf("details = %v", we["details"])
	}

	rec = e.do(t, req{path: "/x?a=<b>", headers: kitchenHeaders("Accept", "text/html")})
	if ct := rec.Header().Get("Content-Type"); !strings.HasPrefix(ct, "text/html") {
		t.Errorf("content type %q, want text/html", ct)
	}
	if body := rec.Body.String(); !strings.Contains(body, "<h1>Waiter Error 503</h1>") || strings.Contains(body, "a=<b>") {
		t.Errorf("HTML body not rendered or not escaped:\n%s", body)
	}
}

// HTML escapes with named entities, as Waiter's page does (its
// maintenance-mode test looks for &quot;).
func TestHTMLEscaping(t *testing.T) {
	if got, want := htmlEscaper.Replace(`&<>"'`), "&amp;&lt;&gt;&quot;&#39;"; got != want {
		t.Errorf("escaped %q, want %q", got, want)
	}
}

// Engine codes map to Waiter's statuses here and only here.
func TestEngineCodesToStatus(t *testing.T) {
	for code, status := range map[engine.Code]int{
		engine.CodeInvalid: 400, engine.CodeNotFound: 404, engine.CodeUnavailable: 503,
	} {
		if got := toError(&engine.Error{Code: code, Message: "m"}).Status; got != status {
			t.Errorf("%v -> %d, want %d", code, got, status)
		}
	}
	ve := &engine.ValidationError{Summary: engine.MsgInvalidDescription, Fields: []engine.FieldError{
		{Field: "cpus", Rule: "type", Message: "must be a number"}, {Field: "mem", Rule: "required", Message: "is required"}}}
	he := toError(ve)
	if he.Status != 400 || !strings.Contains(he.Message, "cpus: must be a number") || !strings.Contains(he.Message, "mem: is required") {
		t.Errorf("validation error -> %d %q, want 400 naming every field", he.Status, he.Message)
	}
}

// Invalid on-the-fly descriptions are 400 listing every violated field.
func TestInvalidDescriptionListsEveryField(t *testing.T) {
	e := newTestEdge(t)
	rec := e.do(t, req{path: "/x", headers: map[string]string{"x-waiter-cpus": "lots", "x-waiter-mem": "-1",
		"Accept": "application/json"}})
	wantStatus(t, rec, http.StatusBadRequest)
	we := decodeJSON(t, rec)["waiter-error"].(map[string]any)
	fields, _ := we["details"].(map[string]any)["fields"].([]any)
	names := map[string]bool{}
	for _, f := range fields {
		names[f.(map[string]any)["field"].(string)] = true
	}
	for _, want := range []string{"cpus", "mem", "cmd", "version"} {
		if !names[want] {
			t.Errorf("fields %v lack %s", names, want)
		}
	}
	if len(e.router.admitted) != 0 {
		t.Errorf("an invalid request reached the router")
	}
}
