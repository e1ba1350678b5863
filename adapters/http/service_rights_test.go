package waiterhttp

import (
	"net/http"
	"testing"

	"github.com/waiter-go/waiter/engine"
)

// describeFor builds the description kitchenHeaders resolve to for user.
func describeFor(t *testing.T, user string, extra ...string) *engine.Description {
	t.Helper()
	h := http.Header{}
	for k, v := range kitchenHeaders(extra...) {
		h.Set(k, v)
	}
	hp, err := engine.ParseHeaders(h)
	if err != nil {
		t.Fatal(err)
	}
	d, err := engine.ResolveDescription(engine.Source{Headers: hp, Requester: user}, engine.DescriptionOptions{})
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// lastAdmitted is the description of the last request the router admitted.
func (e *testEdge) lastAdmitted(t *testing.T) *engine.Description {
	t.Helper()
	e.router.mu.Lock()
	defer e.router.mu.Unlock()
	if len(e.router.admitted) == 0 {
		t.Fatal("no request was admitted")
	}
	return e.router.admitted[len(e.router.admitted)-1].Description
}

// Maintenance of a service (delete, override, suspend, resume, instance
// kill) is for its run-as-user, the owner of a token that reached it, and
// admins; a stranger gets 403 naming who may, and changes nothing.
func TestServiceMaintenanceRights(t *testing.T) {
	e := multiUserEdge(t)
	e.backend(t, func(w http.ResponseWriter, r *http.Request) {})
	// carol's token runs as each requester; bob's request makes a service
	// that runs as bob and was described by carol.
	wantStatus(t, e.postToken(t, "carol", `{"token": "tool", "cmd": "kitchen", "cpus": 1, "mem": 64, "version": "v1", "run-as-user": "*"}`),
		http.StatusOK)
	wantStatus(t, e.as(t, "bob", req{path: "/hi", headers: map[string]string{"x-waiter-token": "tool"}}), http.StatusOK)
	d := e.lastAdmitted(t)
	if d.RunAsUser != "bob" {
		t.Fatalf("service runs as %q, want the requester bob", d.RunAsUser)
	}

	base := "/apps/" + d.ID
	actions := []req{
		{method: "POST", path: base + "/override", body: `{"concurrency-level": 3}`},
		{method: "DELETE", path: base + "/override"},
		{method: "POST", path: base + "/suspend"},
		{method: "POST", path: base + "/resume"},
		{method: "POST", path: base + "/instance/" + d.ID + ".1/kill"},
		{method: "DELETE", path: base},
	}
	e.running(t, d)
	for _, a := range actions {
		wantError(t, e.as(t, "mallory", a), http.StatusForbidden,
			"User mallory not allowed to manage service "+d.ID+": only its run-as-user (bob), the owner of a token that reaches it (carol) or an admin may")
	}
	e.router.mu.Lock()
	touched := len(e.router.deleted) + len(e.router.overrides) + len(e.router.suspended)
	e.router.mu.Unlock()
	if touched != 0 {
		t.Fatalf("a stranger's refused calls reached the router: deleted %v overrides %d suspended %v",
			e.router.deleted, len(e.router.overrides), e.router.suspended)
	}
	if ov, _ := e.store.GetOverride(d.ID); ov.Overrides != nil {
		t.Errorf("a stranger's override was stored: %v", ov)
	}

	for _, user := range []string{"bob", "carol", "root"} {
		e.running(t, d)
		for _, a := range actions {
			rec := e.as(t, user, a)
			if rec.Code != http.StatusOK {
				t.Errorf("%s %s by %s: status %d, want 200; body:\n%s", a.method, a.path, user, rec.Code, rec.Body.String())
			}
		}
	}
	// A service nobody can manage but admins: on-the-fly, run as alice.
	a := describeFor(t, "alice", "x-waiter-name", "alices")
	e.running(t, a)
	wantError(t, e.as(t, "carol", req{method: "DELETE", path: "/apps/" + a.ID}), http.StatusForbidden,
		"User carol not allowed to manage service "+a.ID+": only its run-as-user (alice) or an admin may")
	wantStatus(t, e.as(t, "alice", req{method: "DELETE", path: "/apps/" + a.ID}), http.StatusOK)
}

// Proxied requests: permitted-user is enforced; an on-the-fly
// run-as-user other than the caller needs an admin; a token's "*"
// run-as-user runs as each requester, in a service of its own.
func TestRequestRights(t *testing.T) {
	e := multiUserEdge(t)
	e.backend(t, func(w http.ResponseWriter, r *http.Request) { _, _ = w.Write([]byte("ok")) })
	withToken := func(name string) map[string]string { return map[string]string{"x-waiter-token": name} }

	// alice's token runs as alice for bob only (pre-authorized by alice).
	wantStatus(t, e.postToken(t, "alice", `{"token": "for-bob", "cmd": "kitchen", "cpus": 1, "mem": 64, "version": "v1",
		"run-as-user": "alice", "permitted-user": "bob"}`), http.StatusOK)
	wantStatus(t, e.as(t, "bob", req{path: "/", headers: withToken("for-bob")}), http.StatusOK)
	if d := e.lastAdmitted(t); d.RunAsUser != "alice" {
		t.Errorf("pre-authorized service runs as %q, want alice", d.RunAsUser)
	}
	admitted := len(e.router.admitted)
	wantError(t, e.as(t, "carol", req{path: "/", headers: withToken("for-bob")}), http.StatusForbidden,
		msgNotPermitted)
	if len(e.router.admitted) != admitted {
		t.Errorf("a request by a user who is not permitted was admitted")
	}

	// On the fly, only an admin runs as someone else.
	wantError(t, e.as(t, "alice", req{path: "/", headers: kitchenHeaders("x-waiter-run-as-user", "bob")}),
		http.StatusForbidden, msgCannotRunAs)
	wantStatus(t, e.as(t, "root", req{path: "/", headers: kitchenHeaders("x-waiter-run-as-user", "bob")}), http.StatusOK)
	if d := e.lastAdmitted(t); d.RunAsUser != "bob" || d.PermittedUser != "root" {
		t.Errorf("admin's service runs as %q for %q, want bob for root", d.RunAsUser, d.PermittedUser)
	}
	// On-the-fly services are permitted to their requester only.
	wantStatus(t, e.as(t, "alice", req{path: "/", headers: kitchenHeaders()}), http.StatusOK)
	wantError(t, e.as(t, "bob", req{path: "/", headers: kitchenHeaders("x-waiter-run-as-user", "alice",
		"x-waiter-permitted-user", "alice")}), http.StatusForbidden, msgCannotRunAs)

	// Run as requester: no consent page here; each requester gets a
	// service of its own that runs as itself.
	wantStatus(t, e.postToken(t, "carol", `{"token": "anyone", "cmd": "kitchen", "cpus": 1, "mem": 64, "version": "v1", "run-as-user": "*"}`),
		http.StatusOK)
	ids := map[string]string{}
	for _, user := range []string{"alice", "bob"} {
		wantStatus(t, e.as(t, user, req{path: "/", headers: withToken("anyone")}), http.StatusOK)
		d := e.lastAdmitted(t)
		if d.RunAsUser != user {
			t.Errorf("run-as-requester service for %s runs as %q", user, d.RunAsUser)
		}
		ids[user] = d.ID
	}
	if ids["alice"] == ids["bob"] {
		t.Errorf("alice and bob share the run-as-requester service %s", ids["alice"])
	}
}
