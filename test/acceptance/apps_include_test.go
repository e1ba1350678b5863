package acceptance

import (
	"fmt"
	"net/http"
	"net/url"
	"testing"
)

// Waiter's /apps and /apps/{id} additions (service-list-handler and
// service-handler, handler.clj): current-for-tokens; include=references,
// include=healthy-instances (under "instances"), include=token-fallback,
// and include=metrics on /apps/{id}.
func TestAppsIncludes(t *testing.T) {
	t.Parallel()
	rt := sharedRouter(t)
	user := currentUser(t)
	token := tokenName(t)
	name := randName(t)
	version := func(v, cmd string) map[string]any {
		d := kitchenParams()
		for k, val := range map[string]any{"fallback-period-secs": 300, "name": name, "permitted-user": "*",
			"run-as-user": user, "token": token, "version": "version-" + v, "grace-period-secs": 300} {
			d[k] = val
		}
		if cmd != "" {
			d["cmd"] = cmd
		}
		return d
	}
	h := map[string]string{"x-waiter-token": token, "x-waiter-debug": "true"}
	rt.cleanupToken(t, token)
	expectStatus(t, rt.postToken(t, version("v1", ""), nil, ""), http.StatusOK)
	r := rt.request(http.MethodGet, "/hello", h, nil)
	expectStatus(t, r, http.StatusOK)
	id1 := r.serviceID()
	rt.cleanupService(t, id1)
	etag1 := rt.get("/token?token=" + token).Header.Get("Etag")

	app := findApp(rt.listApps(t, url.Values{"include": {"references", "healthy-instances"}}), id1)
	if app == nil {
		t.Fatalf("%s not in /apps", id1)
	}
	if got := fmt.Sprint(app["current-for-tokens"]); got != "["+token+"]" {
		t.Errorf("current-for-tokens = %s, want [%s]", got, token)
	}
	refs, _ := app["references"].([]any)
	if len(refs) != 1 || fmt.Sprint(nested(refs[0].(map[string]any), "token", "sources")) != fmt.Sprintf("[map[token:%s version:%s]]", token, etag1) {
		t.Errorf("references = %v, want the token's version %s", app["references"], etag1)
	}
	healthy, _ := nested(app, "instances", "healthy-instances").([]any)
	if len(healthy) != 1 {
		t.Fatalf("instances.healthy-instances = %v", nested(app, "instances"))
	}
	for _, k := range []string{"host", "id", "port", "started-at"} {
		if healthy[0].(map[string]any)[k] == nil {
			t.Errorf("healthy instance lacks %s: %v", k, healthy[0])
		}
	}
	det := rt.serviceSettings(t, id1, url.Values{"include": {"metrics"}})
	if nested(det.raw, "metrics", "routers", rt.id, "counters", "request-counts", "total") == nil || nested(det.raw, "metrics", "aggregate") == nil {
		t.Errorf("/apps/{id}?include=metrics = %v", det.raw["metrics"])
	}

	// The new version never turns healthy here: requests fall back to id1,
	// and /apps says so for the new service.
	expectStatus(t, rt.postToken(t, version("v2", kitchenCmd("-p $PORT0 --start-up-sleep-ms 600000")), nil, ""), http.StatusOK)
	r = rt.request(http.MethodGet, "/hello", h, nil)
	expectStatus(t, r, http.StatusOK)
	if r.serviceID() != id1 {
		t.Fatalf("served by %s during the fallback period, want %s", r.serviceID(), id1)
	}
	id2 := rt.serviceIDOf(t, map[string]string{"x-waiter-token": token, "x-waiter-fallback-period-secs": "0"})
	rt.cleanupService(t, id2)
	waitFor(t, "the new version's service", 10e9, 50e6, func() (bool, string) {
		return findApp(rt.listApps(t, nil), id2) != nil, "not listed"
	})
	apps := rt.listApps(t, url.Values{"include": {"token-fallback"}})
	if got := nested(findApp(apps, id2), "token-fallback", "service-id"); got != id1 {
		t.Errorf("token-fallback of the new service = %v, want %s", got, id1)
	}
	if old := findApp(apps, id1); old["current-for-tokens"] != nil || old["token-fallback"] != nil {
		t.Errorf("the old service is current for %v, falls back to %v; want neither", old["current-for-tokens"], old["token-fallback"])
	}
}
