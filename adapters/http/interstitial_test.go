package waiterhttp

import (
	"net/http"
	"strings"
	"testing"

	"github.com/waiter-go/waiter"
	"github.com/waiter-go/waiter/engine"
)

func TestInterstitial(t *testing.T) {
	e := newTestEdge(t)
	e.backend(t, func(w http.ResponseWriter, r *http.Request) { _, _ = w.Write([]byte("backend " + r.URL.RawQuery)) })
	for name, secs := range map[string]float64{"slow": 5, "plain": 0} {
		if _, _, err := e.store.PutToken(name, map[string]any{"cmd": "kitchen", "cpus": 0.1, "mem": 64.0, "version": "v1",
			"interstitial-secs": secs}, "", testUser, e.clock.Now()); err != nil {
			t.Fatal(err)
		}
	}
	browser := func(token, path string) req {
		return req{path: path, headers: map[string]string{"x-waiter-token": token, "Accept": "text/html,application/xhtml+xml"}}
	}

	rec := e.do(t, browser("slow", "/page?a=1"))
	wantStatus(t, rec, 200)
	body := rec.Body.String()
	if rec.Header().Get("x-waiter-interstitial") != "true" ||
		!strings.Contains(body, `content="5; url=/page?a=1&amp;x-waiter-bypass-interstitial=1"`) {
		t.Fatalf("interstitial page: headers %v body\n%s", rec.Header(), body)
	}
	if len(e.router.admitted) != 0 || len(e.router.started) != 1 {
		t.Fatalf("interstitial: %d admissions (want none), %d starts (want one)", len(e.router.admitted), len(e.router.started))
	}

	// The page's retry, a non-browser client and a token without the
	// interstitial all reach the backend.
	for name, r := range map[string]req{
		"bypass":          browser("slow", "/page?a=1&x-waiter-bypass-interstitial=1"),
		"non-browser":     {path: "/page", headers: map[string]string{"x-waiter-token": "slow", "Accept": "application/json"}},
		"no interstitial": browser("plain", "/page"),
		"POST":            {method: "POST", path: "/page", body: "{}", headers: map[string]string{"x-waiter-token": "slow", "Accept": "text/html"}},
	} {
		rec := e.do(t, r)
		if rec.Code != 200 || !strings.HasPrefix(rec.Body.String(), "backend") {
			t.Errorf("%s: status %d body %q, want the backend's answer", name, rec.Code, rec.Body.String())
		}
	}

	// Once the service has a healthy instance browsers go straight through.
	id := e.router.started[0]
	e.router.services[id] = waiter.ServiceSnapshot{ID: id, Instances: []waiter.InstanceSnapshot{
		{ObservedInstance: engine.ObservedInstance{ID: id + ".1", Healthy: true}}}}
	rec = e.do(t, browser("slow", "/page"))
	if rec.Code != 200 || !strings.HasPrefix(rec.Body.String(), "backend") {
		t.Fatalf("healthy service: status %d body %q", rec.Code, rec.Body.String())
	}
}
