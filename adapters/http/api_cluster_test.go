package waiterhttp

import (
	"context"
	"errors"
	"net/http"
	"testing"
	"time"

	"github.com/waiter-go/waiter"
	"github.com/waiter-go/waiter/engine"
)

// clusterRouter is a fake router in a cluster of routers.
type clusterRouter struct {
	*fakeRouter
	metrics  waiter.ClusterMetrics
	awaitErr error
	awaited  []string
}

func (c *clusterRouter) ClusterMetrics(_ context.Context, id string) (waiter.ClusterMetrics, bool) {
	return c.metrics, len(c.metrics.Routers) > 0
}

func (c *clusterRouter) AwaitDeleted(_ context.Context, id string) error {
	c.awaited = append(c.awaited, id)
	return c.awaitErr
}

func newClusterEdge(t *testing.T) (*testEdge, *clusterRouter) {
	t.Helper()
	e := newTestEdge(t)
	cr := &clusterRouter{fakeRouter: e.router}
	srv, err := New(Config{RouterID: "r1", Hostnames: []string{"waiter.example"}},
		Deps{Router: cr, Store: e.store, Authn: headerUser{}, Entitled: NewSimple(testUser), Clock: e.clock})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(srv.Close)
	e.srv = srv
	return e, cr
}

func TestDrain(t *testing.T) {
	e := newTestEdge(t)
	// Only an admin drains.
	wantStatus(t, e.do(t, req{method: "POST", path: "/drain", headers: map[string]string{hdrTestUser: "bob"}}), http.StatusForbidden)
	wantStatus(t, e.do(t, req{path: "/status"}), http.StatusOK)
	if got := decodeJSON(t, e.do(t, req{path: "/drain"})); got["draining"] != false {
		t.Fatalf("GET /drain before: %v", got)
	}
	if got := decodeJSON(t, e.do(t, req{method: "POST", path: "/drain"})); got["draining"] != true {
		t.Fatalf("POST /drain: %v", got)
	}
	wantStatus(t, e.do(t, req{path: "/status"}), http.StatusServiceUnavailable)
	wantStatus(t, e.do(t, req{path: "/x", headers: kitchenHeaders()}), http.StatusServiceUnavailable)
}

func TestAppMetricsAcrossRouters(t *testing.T) {
	e, cr := newClusterEdge(t)
	d := describe(t)
	e.running(t, d)
	last := time.Date(2024, 5, 1, 11, 0, 0, 0, time.UTC)
	cr.metrics = waiter.ClusterMetrics{Routers: map[string]engine.ServiceCounters{
		"r1": {Service: d.ID, Outstanding: 3, SlotsInUse: 2, Waiting: 1},
		"r2": {Service: d.ID, Outstanding: 4, SlotsInUse: 4, LastRequest: last},
	}, Errors: map[string]string{"r3": "peer router unreachable"}}
	cr.metrics.Aggregate = waiter.SumCounters(d.ID, cr.metrics.Routers)
	got := decodeJSON(t, e.do(t, req{path: "/apps/" + d.ID + "?include=metrics"}))
	m, ok := got["metrics"].(map[string]any)
	if !ok {
		t.Fatalf("no metrics in %v", got)
	}
	agg := m["aggregate"].(map[string]any)
	if agg["outstanding"] != 7.0 || agg["slots-in-use"] != 6.0 || agg["waiting-for-available-instance"] != 1.0 ||
		agg["last-request-time"] != "2024-05-01T11:00:00Z" {
		t.Errorf("aggregate %v", agg)
	}
	routers := m["routers"].(map[string]any)
	if len(routers) != 2 || routers["r2"].(map[string]any)["outstanding"] != 4.0 {
		t.Errorf("routers %v", routers)
	}
	if m["errors"].(map[string]any)["r3"] == nil {
		t.Errorf("errors %v", m["errors"])
	}
	// Without include=metrics: none.
	if got := decodeJSON(t, e.do(t, req{path: "/apps/" + d.ID})); got["metrics"] != nil {
		t.Errorf("metrics without include: %v", got["metrics"])
	}
}

func TestAppMetricsAlone(t *testing.T) {
	e := newTestEdge(t)
	d := describe(t)
	snap := e.running(t, d)
	snap.InFlight, snap.Waiting, snap.FreeSlots = 2, 1, 3
	e.router.put(snap)
	m := decodeJSON(t, e.do(t, req{path: "/apps/" + d.ID + "?include=metrics"}))["metrics"].(map[string]any)
	r1 := m["routers"].(map[string]any)["r1"].(map[string]any)
	if r1["outstanding"] != 3.0 || r1["slots-available"] != 3.0 || m["aggregate"].(map[string]any)["outstanding"] != 3.0 {
		t.Errorf("single router metrics %v", m)
	}
}

func TestDeleteAwaitsEveryRouter(t *testing.T) {
	e, cr := newClusterEdge(t)
	d := describe(t)
	e.running(t, d)
	got := decodeJSON(t, e.do(t, req{method: "DELETE", path: "/apps/" + d.ID + "?timeout=5000"}))
	if got["success"] != true || got["routers-agree"] != true || len(cr.awaited) != 1 {
		t.Fatalf("delete with timeout: %v, awaited %v", got, cr.awaited)
	}
	// A router that still knows it: the answer says so.
	e.running(t, d)
	cr.awaitErr = errors.New("routers still knowing the service: [r2]")
	got = decodeJSON(t, e.do(t, req{method: "DELETE", path: "/apps/" + d.ID + "?timeout=5000"}))
	if got["routers-agree"] != false || got["message"] != "routers still knowing the service: [r2]" {
		t.Fatalf("delete, r2 disagreeing: %v", got)
	}
	// No timeout: nothing awaited.
	e.running(t, d)
	got = decodeJSON(t, e.do(t, req{method: "DELETE", path: "/apps/" + d.ID}))
	if _, ok := got["routers-agree"]; ok || len(cr.awaited) != 2 {
		t.Fatalf("delete without timeout: %v, awaited %v", got, cr.awaited)
	}
	wantStatus(t, e.do(t, req{method: "DELETE", path: "/apps/" + d.ID + "?timeout=x"}), http.StatusBadRequest)
}
