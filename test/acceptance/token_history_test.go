package acceptance

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
)

// Port of token_history_integration_test.clj (test-basic-token-history):
// GET /token-history lists the services a token described, newest first.
func TestBasicTokenHistory(t *testing.T) {
	t.Parallel()
	rt := sharedRouter(t)
	token := tokenName(t)
	path := "/token-history?token=" + url.QueryEscape(token)
	type entry struct {
		ServiceDescription map[string]any `json:"service-description"`
		ServiceID          string         `json:"service-id"`
		SourceComponent    string         `json:"source-component"`
		UpdateTime         string         `json:"update-time"`
	}
	history := func() []entry {
		t.Helper()
		r := rt.get(path)
		expectStatus(t, r, http.StatusOK)
		var h []entry
		r.json(t, &h)
		return h
	}

	r := rt.get(path)
	expectStatus(t, r, http.StatusNotFound)
	expectBody(t, r, "Token not found: "+token)
	// Paths next to it stay unknown.
	expectStatus(t, rt.get("/token-history/"+token), http.StatusNotFound)
	expectStatus(t, rt.get("/token-historyx?token="+url.QueryEscape(token)), http.StatusNotFound)

	desc := map[string]any{"token": token, "name": randName(t), "cmd": "do-not-start-this-service",
		"version": "image", "cmd-type": "shell", "cpus": 1, "mem": 32}
	rt.cleanupToken(t, token)
	r = rt.postToken(t, desc, nil, "")
	expectStatus(t, r, http.StatusOK)
	expectBody(t, r, "Successfully created "+token)
	h := history()
	if len(h) != 1 || h[0].ServiceDescription == nil || h[0].SourceComponent != "token" || h[0].UpdateTime == "" || h[0].ServiceID == "" {
		t.Fatalf("after create: %+v", h)
	}

	desc["mem"] = 64
	r = rt.postToken(t, desc, nil, "")
	expectStatus(t, r, http.StatusOK)
	expectBody(t, r, "Successfully updated "+token)
	h = history()
	if len(h) != 2 {
		t.Fatalf("after update: %+v", h)
	}
	t2, err2 := time.Parse(time.RFC3339, h[0].UpdateTime)
	t1, err1 := time.Parse(time.RFC3339, h[1].UpdateTime)
	if err1 != nil || err2 != nil || !t2.After(t1) {
		t.Errorf("update times %s (newest) and %s: %v %v", h[0].UpdateTime, h[1].UpdateTime, err2, err1)
	}
	for _, e := range h {
		if e.SourceComponent != "token" || e.ServiceID == "" || e.ServiceDescription == nil {
			t.Errorf("entry %+v", e)
		}
	}
	if id := rt.serviceIDOf(t, map[string]string{"x-waiter-token": token}); id != h[0].ServiceID || h[1].ServiceID == id {
		t.Errorf("service ids %s (newest) and %s, the token resolves to %s", h[0].ServiceID, h[1].ServiceID, id)
	}

	rt.deleteToken(t, token)
	r = rt.get(path)
	expectStatus(t, r, http.StatusNotFound)
	if !strings.Contains(r.Body, "Token not found: "+token) {
		t.Errorf("after delete: %s", r)
	}
}
