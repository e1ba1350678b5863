package waiterhttp

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"
)

// Waiter's test-basic-token-history (token_history_integration_test.clj)
// on the edge: 404 before the token exists and after it is deleted, one
// entry per version, newest first, each with the version's service.
func TestTokenHistory(t *testing.T) {
	e := newTestEdge(t)
	history := func(query string) (int, []map[string]any, string) {
		rec := e.do(t, req{path: "/token-history?" + query})
		var out []map[string]any
		if rec.Code == http.StatusOK {
			if err := json.Unmarshal(rec.Body.Bytes(), &out); err != nil {
				t.Fatalf("%s: %v", rec.Body, err)
			}
		}
		return rec.Code, out, rec.Body.String()
	}
	if code, _, body := history("token=hist"); code != http.StatusNotFound || !strings.Contains(body, "Token not found: hist") {
		t.Fatalf("before create: %d %s", code, body)
	}
	tok := `{"token": "hist", "cmd": "do-not-start-this-service", "version": "image", "cpus": 1, "mem": %s, "env": {"SECRET": "s"}}`
	wantStatus(t, e.do(t, req{method: "POST", path: "/token", body: strings.Replace(tok, "%s", "32", 1)}), http.StatusOK)
	code, h, body := history("token=hist")
	if code != http.StatusOK || len(h) != 1 || h[0]["source-component"] != "token" || h[0]["service-id"] == "" {
		t.Fatalf("after create: %d %s", code, body)
	}
	e.clock.Add(time.Minute)
	wantStatus(t, e.do(t, req{method: "POST", path: "/token", body: strings.Replace(tok, "%s", "64", 1)}), http.StatusOK)
	code, h, body = history("token=hist")
	if code != http.StatusOK || len(h) != 2 {
		t.Fatalf("after update: %d %s", code, body)
	}
	newer, older := h[0], h[1]
	if newer["service-id"] == older["service-id"] {
		t.Errorf("both versions have service %v", newer["service-id"])
	}
	if d := newer["service-description"].(map[string]any); d["mem"] != 64.0 || d["cmd"] != "do-not-start-this-service" {
		t.Errorf("newest description %v", d)
	}
	t1, err1 := time.Parse(time.RFC3339, older["update-time"].(string))
	t2, err2 := time.Parse(time.RFC3339, newer["update-time"].(string))
	if err1 != nil || err2 != nil || !t2.After(t1) || !strings.HasSuffix(newer["update-time"].(string), ".000Z") {
		t.Errorf("update times %v %v (%v %v)", older["update-time"], newer["update-time"], err1, err2)
	}
	// The service id is the one a request with the token resolves to.
	rec := e.do(t, req{path: "/service-id", headers: map[string]string{"x-waiter-token": "hist"}})
	if strings.TrimSpace(rec.Body.String()) != newer["service-id"] {
		t.Errorf("/service-id %s, history's newest %v", rec.Body, newer["service-id"])
	}
	if _, h, _ := history("token=hist&length=1"); len(h) != 1 || h[0]["service-id"] != newer["service-id"] {
		t.Errorf("length=1: %v", h)
	}
	if code, _, _ := history("token=hist&length=x"); code != http.StatusBadRequest {
		t.Errorf("length=x: %d, want 400", code)
	}
	// Someone who may not read the token does not see env values.
	rec = e.do(t, req{path: "/token-history?token=hist", headers: map[string]string{hdrTestUser: "mallory"}})
	if strings.Contains(rec.Body.String(), `"s"`) || !strings.Contains(rec.Body.String(), "SECRET") {
		t.Errorf("history for another user shows env values: %s", rec.Body)
	}
	wantStatus(t, e.do(t, req{method: "DELETE", path: "/token?token=hist"}), http.StatusOK)
	if code, _, body := history("token=hist"); code != http.StatusNotFound || !strings.Contains(body, "Token not found: hist") {
		t.Errorf("after delete: %d %s", code, body)
	}
}
