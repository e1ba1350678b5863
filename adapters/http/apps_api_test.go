package waiterhttp

import (
	"net/http"
	"strings"
	"testing"

	"github.com/waiter-go/waiter"
	"github.com/waiter-go/waiter/engine"
)

func TestServiceStatusLabels(t *testing.T) {
	healthy := waiter.InstanceSnapshot{ObservedInstance: engine.ObservedInstance{ID: "i1", Healthy: true}}
	sick := waiter.InstanceSnapshot{ObservedInstance: engine.ObservedInstance{ID: "i2"}}
	cases := []struct {
		name string
		snap waiter.ServiceSnapshot
		want string
	}{
		{"nothing requested or scheduled", waiter.ServiceSnapshot{}, statusInactive},
		{"requested, nothing healthy", waiter.ServiceSnapshot{Requested: 1}, statusStarting},
		{"instances but none healthy", waiter.ServiceSnapshot{Requested: 1, Scheduled: 1, Instances: []waiter.InstanceSnapshot{sick}}, statusStarting},
		{"one healthy", waiter.ServiceSnapshot{Requested: 2, Scheduled: 2, Instances: []waiter.InstanceSnapshot{sick, healthy}}, statusRunning},
		{"deployment error wins", waiter.ServiceSnapshot{Requested: 1, DeploymentError: "Invalid startup command"}, statusFailing},
	}
	for _, tc := range cases {
		if got := serviceStatus(tc.snap); got != tc.want {
			t.Errorf("%s: %s, want %s", tc.name, got, tc.want)
		}
	}
}

// running puts a service with one healthy instance into the fake router.
func (e *testEdge) running(t *testing.T, d *engine.Description) waiter.ServiceSnapshot {
	t.Helper()
	snap := waiter.ServiceSnapshot{ID: d.ID, Description: d, Observed: true, Requested: 1, Scheduled: 1,
		Instances: []waiter.InstanceSnapshot{{ObservedInstance: engine.ObservedInstance{ID: d.ID + ".1", Host: "127.0.0.1",
			Port: 1, Healthy: true, StartedAt: e.clock.Now()}}},
		TotalRequests: 7, LastRequestTime: e.clock.Now(), ScalingState: "stable"}
	e.router.put(snap)
	if _, err := e.store.PutServiceDescription(d.ID, d.Core); err != nil {
		t.Fatal(err)
	}
	return snap
}

func TestAppsListAndDetails(t *testing.T) {
	e := newTestEdge(t)
	a := describe(t, "x-waiter-name", "alpha")
	b := describe(t, "x-waiter-name", "beta", "x-waiter-metadata-team", "search")
	e.running(t, a)
	e.router.put(waiter.ServiceSnapshot{ID: b.ID, Description: b, Requested: 1, ScalingState: "scale-up"})

	list := decodeList(t, e.do(t, req{path: "/apps"}))
	if len(list) != 2 || list[0]["service-id"] != a.ID || list[0]["status"] != statusRunning || list[1]["status"] != statusStarting {
		t.Fatalf("/apps = %v", list)
	}
	counts := list[0]["instance-counts"].(map[string]any)
	if counts["healthy-instances"] != 1.0 || counts["unhealthy-instances"] != 0.0 {
		t.Errorf("instance-counts %v", counts)
	}
	if usage := list[0]["resource-usage"].(map[string]any); usage["cpus"] != 0.1 || usage["mem"] != 256.0 {
		t.Errorf("resource-usage %v", usage)
	}

	for query, want := range map[string]int{
		"/apps?name=alp":                            1,
		"/apps?name=*et*":                           1,
		"/apps?name=b*":                             1,
		"/apps?metadata.team=search":                1,
		"/apps?run-as-user=*":                       2,
		"/apps?run-as-user=" + testUser:             2,
		"/apps?run-as-user=bob":                     0,
		"/apps?cpus=0.1&name=beta":                  1,
		"/apps?include=effective-parameters":        2,
		"/apps?force=false&run-as-user=" + testUser: 2, // Waiter's clients send force
		"/apps?effective-parameters=false":          2,
		"/apps?token=nope":                          0,
		"/apps?include=healthy-instances&x=1":       -1,
	} {
		rec := e.do(t, req{path: query})
		if want < 0 {
			wantStatus(t, rec, http.StatusBadRequest)
			continue
		}
		if got := decodeList(t, rec); len(got) != want {
			t.Errorf("%s: %d services, want %d", query, len(got), want)
		}
	}
	if l := decodeList(t, e.do(t, req{path: "/apps?include=effective-parameters"})); l[0]["effective-parameters"] == nil {
		t.Errorf("include=effective-parameters missing")
	}

	rec := e.do(t, req{path: "/apps/" + a.ID})
	wantStatus(t, rec, http.StatusOK)
	det := decodeJSON(t, rec)
	active := det["instances"].(map[string]any)["active-instances"].([]any)
	if det["status"] != statusRunning || len(active) != 1 || det["num-active-instances"] != 1.0 || det["router-id"] != "r1" {
		t.Errorf("/apps/{id} = %v", det)
	}
	if sd := det["service-description"].(map[string]any); sd["name"] != "alpha" || sd["run-as-user"] != testUser {
		t.Errorf("service-description %v", sd)
	}
	wantStatus(t, e.do(t, req{path: "/apps/waiter-service-unknown"}), http.StatusNotFound)
}

func TestDeleteTwiceIs404(t *testing.T) {
	e := newTestEdge(t)
	d := describe(t)
	e.running(t, d)
	rec := e.do(t, req{method: "DELETE", path: "/apps/" + d.ID})
	wantStatus(t, rec, http.StatusOK)
	if got := decodeJSON(t, rec); got["success"] != true || got["result"] != "deleted" {
		t.Errorf("first delete: %v", got)
	}
	rec = e.do(t, req{method: "DELETE", path: "/apps/" + d.ID})
	wantStatus(t, rec, http.StatusNotFound)
	if got := decodeJSON(t, rec); got["success"] != false || got["result"] != "no-such-service-exists" {
		t.Errorf("second delete: %v", got)
	}
	wantStatus(t, e.do(t, req{method: "DELETE", path: "/apps/" + d.ID + "?timeout=soon"}), http.StatusBadRequest)
	// The description stays stored: the service shows as Inactive.
	rec = e.do(t, req{path: "/apps/" + d.ID})
	wantStatus(t, rec, http.StatusOK)
	if got := decodeJSON(t, rec)["status"]; got != statusInactive {
		t.Errorf("status after delete %v, want Inactive", got)
	}
}

func TestOverride(t *testing.T) {
	e := newTestEdge(t)
	d := describe(t)
	e.running(t, d)

	rec := e.do(t, req{method: "POST", path: "/apps/" + d.ID + "/override", body: `{"cmd": "other", "cpus": 4, "min-instances": 2}`})
	wantStatus(t, rec, http.StatusBadRequest)
	if body := rec.Body.String(); !strings.Contains(body, "cmd, cpus") {
		t.Errorf("invalid keys not named: %s", body)
	}
	wantStatus(t, e.do(t, req{method: "POST", path: "/apps/" + d.ID + "/override", body: `{"min-instances": 0}`}), http.StatusBadRequest)
	if len(e.router.overrides) != 0 {
		t.Fatalf("a refused override reached the router")
	}

	rec = e.do(t, req{method: "POST", path: "/apps/" + d.ID + "/override", body: `{"min-instances": 2, "scale-factor": 0.5}`})
	wantStatus(t, rec, http.StatusOK)
	if len(e.router.overrides) != 1 {
		t.Fatalf("router saw %d overrides", len(e.router.overrides))
	}
	nd := e.router.overrides[0]
	if nd.ID != d.ID || nd.MinInstances != 2 || nd.ScaleFactor != 0.5 || nd.Core["min-instances"] != nil {
		t.Errorf("override: id %s min %d scale %v core %v", nd.ID, nd.MinInstances, nd.ScaleFactor, nd.Core)
	}
	rec = e.do(t, req{path: "/apps/" + d.ID + "/override"})
	if got := decodeJSON(t, rec); got["overrides"].(map[string]any)["min-instances"] != 2.0 || got["last-updated-by"] != testUser {
		t.Errorf("GET override %v", got)
	}
	if plain := decodeJSON(t, e.do(t, req{path: "/apps/" + d.ID})); plain["effective-parameters"] != nil {
		t.Error("effective-parameters shown without being asked for")
	}
	det := decodeJSON(t, e.do(t, req{path: "/apps/" + d.ID + "?effective-parameters=true"}))
	if ep, _ := det["effective-parameters"].(map[string]any); ep["min-instances"] != 2.0 {
		t.Errorf("effective parameters do not show the override: %v", det["effective-parameters"])
	}

	// A new request for the same service gets the overridden description.
	e.router.admit = func(a waiter.Admission) (waiter.Grant, error) {
		return waiter.Grant{}, &engine.Error{Code: engine.CodeUnavailable, Message: "test"}
	}
	e.do(t, req{path: "/x", headers: kitchenHeaders()})
	if got := e.router.admitted[len(e.router.admitted)-1].Description; got.ID != d.ID || got.MinInstances != 2 {
		t.Errorf("request admitted with id %s min %d", got.ID, got.MinInstances)
	}

	wantStatus(t, e.do(t, req{method: "DELETE", path: "/apps/" + d.ID + "/override"}), http.StatusOK)
	if last := e.router.overrides[len(e.router.overrides)-1]; last.MinInstances != 1 {
		t.Errorf("clearing overrides left min-instances %d", last.MinInstances)
	}
	wantStatus(t, e.do(t, req{method: "POST", path: "/apps/nope/override", body: `{}`}), http.StatusNotFound)
}

func TestSuspendResume(t *testing.T) {
	e := newTestEdge(t)
	d := describe(t)
	e.running(t, d)
	e.router.admit = func(a waiter.Admission) (waiter.Grant, error) {
		return waiter.Grant{}, &engine.Error{Code: engine.CodeUnavailable, Message: "admitted"}
	}

	rec := e.do(t, req{method: "POST", path: "/apps/" + d.ID + "/suspend"})
	wantStatus(t, rec, http.StatusOK)
	if !e.router.suspended[d.ID] {
		t.Errorf("router not told to suspend")
	}
	rec = e.do(t, req{path: "/x", headers: kitchenHeaders()})
	wantStatus(t, rec, http.StatusServiceUnavailable)
	if !strings.Contains(rec.Body.String(), engine.MsgSuspended) {
		t.Errorf("suspended body %s", rec.Body.String())
	}
	det := decodeJSON(t, e.do(t, req{path: "/apps/" + d.ID}))
	if det["service-suspended-state"].(map[string]any)["suspended"] != true {
		t.Errorf("details do not show suspension: %v", det["service-suspended-state"])
	}

	wantStatus(t, e.do(t, req{path: "/apps/" + d.ID + "/resume"}), http.StatusOK)
	rec = e.do(t, req{path: "/x", headers: kitchenHeaders()})
	if !strings.Contains(rec.Body.String(), "admitted") {
		t.Errorf("after resume the request was not admitted: %s", rec.Body.String())
	}
	wantStatus(t, e.do(t, req{method: "POST", path: "/apps/nope/suspend"}), http.StatusNotFound)
}

func TestKillInstanceAPI(t *testing.T) {
	e := newTestEdge(t)
	d := describe(t)
	snap := e.running(t, d)
	wantStatus(t, e.do(t, req{method: "POST", path: "/apps/" + d.ID + "/instance/" + snap.Instances[0].ID + "/kill"}), http.StatusOK)
	wantStatus(t, e.do(t, req{method: "POST", path: "/apps/" + d.ID + "/instance/nope/kill"}), http.StatusNotFound)

	// The router's domain errors become Waiter's statuses at this edge.
	snap.Instances[0].Locked = true
	e.router.put(snap)
	rec := e.do(t, req{method: "POST", path: "/apps/" + d.ID + "/instance/" + snap.Instances[0].ID + "/kill"})
	wantStatus(t, rec, http.StatusConflict)
	if !strings.Contains(rec.Body.String(), "Instance is already being killed") {
		t.Errorf("409 body %q does not say why", rec.Body.String())
	}
}

func TestMiscEndpoints(t *testing.T) {
	e := newTestEdge(t)
	d := describe(t)
	e.running(t, d)

	rec := e.do(t, req{path: "/service-id", headers: kitchenHeaders()})
	wantStatus(t, rec, http.StatusOK)
	if rec.Body.String() != d.ID {
		t.Errorf("/service-id = %q, want %q", rec.Body.String(), d.ID)
	}
	if _, err := e.store.GetServiceDescription(d.ID); err != nil {
		t.Errorf("/service-id did not store the description: %v", err)
	}
	if got := decodeJSON(t, e.do(t, req{path: "/status"})); got["status"] != "ok" {
		t.Errorf("/status %v", got)
	}
	if got := decodeJSON(t, e.do(t, req{path: "/state/" + d.ID})); got["state"].(map[string]any)["status"] != statusRunning {
		t.Errorf("/state/{id} %v", got)
	}
	if got := decodeJSON(t, e.do(t, req{path: "/state/unknown"})); len(got["state"].(map[string]any)) != 0 {
		t.Errorf("/state/unknown %v, want an empty state", got)
	}
	if got := decodeJSON(t, e.do(t, req{path: "/state"})); len(got["services"].([]any)) != 1 {
		t.Errorf("/state %v", got)
	}
	if got := decodeJSON(t, e.do(t, req{path: "/settings"})); got["router-id"] != "r1" {
		t.Errorf("/settings %v", got)
	}
	wantStatus(t, e.do(t, req{path: "/no-such-endpoint"}), http.StatusNotFound)
	wantStatus(t, e.do(t, req{method: "PATCH", path: "/apps"}), http.StatusMethodNotAllowed)

	rec = e.do(t, req{path: "/metrics"})
	body := rec.Body.String()
	for _, want := range []string{"# TYPE waiter_service_healthy_instances gauge",
		`waiter_service_healthy_instances{service_id="` + d.ID + `",service_name=""} 1`,
		`waiter_service_requests_total{service_id="` + d.ID + `",service_name=""} 7`} {
		if !strings.Contains(body, want) {
			t.Errorf("/metrics lacks %q:\n%s", want, body)
		}
	}

	e.srv.Drain()
	wantStatus(t, e.do(t, req{path: "/status"}), http.StatusServiceUnavailable)
	wantStatus(t, e.do(t, req{path: "/x", headers: kitchenHeaders()}), http.StatusServiceUnavailable)
}
