package acceptance

import (
	"fmt"
	"net/http"
	"testing"
	"time"
)

// Waiter's stale-service GC (service->gc-time; reference 3.6, 7.6): once
// the token that reached a service is edited, the previous version's
// service is deleted when idle past fallback-period-secs +
// stale-timeout-mins from the edit, even though its idle-timeout-mins (0)
// would keep it for ever; the new version's service stays.
func TestStaleServiceDeletedAfterTokenEdit(t *testing.T) {
	t.Parallel()
	rt := sharedRouter(t)
	user := currentUser(t)
	token := tokenName(t)
	name := randName(t)
	version := func(v string) map[string]any {
		d := kitchenParams()
		for k, val := range map[string]any{"fallback-period-secs": 0, "stale-timeout-mins": 0, "idle-timeout-mins": 0,
			"name": name, "permitted-user": "*", "run-as-user": user, "token": token, "version": "version-" + v} {
			d[k] = val
		}
		return d
	}
	h := map[string]string{"x-waiter-token": token, "x-waiter-debug": "true"}
	rt.cleanupToken(t, token)

	expectStatus(t, rt.postToken(t, version("v1"), nil, ""), http.StatusOK)
	r := rt.request(http.MethodGet, "/hello", h, nil)
	expectStatus(t, r, http.StatusOK)
	id1 := r.serviceID()
	rt.cleanupService(t, id1)

	expectStatus(t, rt.postToken(t, version("v2"), nil, ""), http.StatusOK)
	r = rt.request(http.MethodGet, "/hello", h, nil)
	expectStatus(t, r, http.StatusOK)
	id2 := r.serviceID()
	rt.cleanupService(t, id2)
	if id2 == id1 {
		t.Fatalf("the edited token still resolves to %s", id1)
	}
	waitFor(t, "the stale service to go away", 30*time.Second, 100*time.Millisecond, func() (bool, string) {
		n := rt.numInstances(t, id1)
		listed := findApp(rt.listApps(t, nil), id1) != nil
		return n == 0 && !listed, fmt.Sprintf("%d instances, listed in /apps: %v", n, listed)
	})
	if n := rt.numInstances(t, id2); n != 1 {
		t.Errorf("the current version's service has %d instances, want 1", n)
	}

	// With stale-timeout-mins 1 the old service stays, marked stale on
	// /state/{id} with its GC time, until a minute after the edit.
	longer := func(v string) map[string]any {
		d := version(v)
		d["stale-timeout-mins"] = 1
		return d
	}
	expectStatus(t, rt.postToken(t, longer("v3"), nil, ""), http.StatusOK)
	r = rt.request(http.MethodGet, "/hello", h, nil)
	expectStatus(t, r, http.StatusOK)
	id3 := r.serviceID()
	rt.cleanupService(t, id3)
	edited := time.Now()
	expectStatus(t, rt.postToken(t, longer("v4"), nil, ""), http.StatusOK)
	waitFor(t, "the v3 service to be marked stale", 10*time.Second, 100*time.Millisecond, func() (bool, string) {
		st := rt.get("/state/" + id3)
		var v map[string]any
		st.json(t, &v)
		gcAt, _ := nested(v, "state", "stale-gc-time").(string)
		at, err := time.Parse(time.RFC3339Nano, gcAt)
		if nested(v, "state", "stale") != true || err != nil {
			return false, fmt.Sprint(nested(v, "state", "stale"), " ", gcAt)
		}
		if d := at.Sub(edited); d < 55*time.Second || d > 65*time.Second {
			t.Errorf("stale-gc-time %s is %v after the edit, want about a minute", gcAt, d)
		}
		return true, ""
	})
	if n := rt.numInstances(t, id3); n != 1 {
		t.Errorf("the stale service went before its stale-timeout: %d instances", n)
	}
}
