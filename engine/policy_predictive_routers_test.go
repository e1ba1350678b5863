package engine

import (
	"testing"
	"time"

	"pgregory.net/rapid"
)

// quietLoad runs a predictive scaler over passes of a light load (one
// request in flight, 7 arriving and completing a second: a third of a
// slot's worth per router) seen by one of routers routers, then idle
// passes, and returns the count after the load and after the idle time.
func quietLoad(t *testing.T, scheme string, routers int, idle time.Duration) (loaded, rested int) {
	t.Helper()
	d := mustDesc(t, Params{"concurrency-level": 4.0, "max-instances": 200.0, "distribution-scheme": scheme})
	s := PredictivePolicy{}.NewScaler(d, ScaleStart{Now: epoch, Scheduled: 20})
	req, at := 20, time.Duration(0)
	pass := func(inflight, arrived int) {
		at += time.Second
		in := predictiveInput(at, d, req, req, inflight, 0, arrived, arrived)
		in.Outstanding *= routers // the peers hold as much
		in.Routers = routers
		req = s.Scale(in).ScaleTo
	}
	for range 300 {
		pass(1, 7)
	}
	loaded = req
	for range int(idle / time.Second) {
		pass(0, 0)
	}
	return loaded, req
}

// TestPredictiveSimpleKeepsAnInstancePerRouter: with the "simple"
// distribution and three routers the light load's count stops at three
// (each router needs an instance of its own), where one router or the
// "balanced" distribution goes down to the steady need of one; a minute
// without requests drops the floor.
func TestPredictiveSimpleKeepsAnInstancePerRouter(t *testing.T) {
	if loaded, _ := quietLoad(t, SchemeSimple, 3, 0); loaded != 3 {
		t.Errorf("simple, 3 routers: %d instances, want one per router (3)", loaded)
	}
	if loaded, _ := quietLoad(t, SchemeSimple, 1, 0); loaded != 1 {
		t.Errorf("simple, 1 router: %d instances, want the steady need (1)", loaded)
	}
	if loaded, _ := quietLoad(t, SchemeBalanced, 3, 0); loaded != 1 {
		t.Errorf("balanced, 3 routers: %d instances, want the steady need (1)", loaded)
	}
	if _, rested := quietLoad(t, SchemeSimple, 3, 2*time.Minute); rested >= 3 {
		t.Errorf("simple, 3 routers, 2 min idle: %d instances, want the floor gone (< 3)", rested)
	}
}

// TestPredictiveRouterFloorProperties: for any history, a service with
// the "simple" distribution that had a request in the last pass asks for
// at least one instance per router (max-instances permitting); with
// "balanced" the router count changes no decision.
func TestPredictiveRouterFloorProperties(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		scheme := rapid.SampledFrom([]string{SchemeSimple, SchemeBalanced}).Draw(t, "scheme")
		d := mustDesc(t, Params{
			"concurrency-level":   float64(rapid.IntRange(1, 20).Draw(t, "cl")),
			"max-instances":       float64(rapid.IntRange(1, 300).Draw(t, "max")),
			"distribution-scheme": scheme,
		})
		routers := rapid.IntRange(1, 8).Draw(t, "routers")
		steps := drawPredictiveSteps(t, rapid.IntRange(1, 40).Draw(t, "passes"))
		many := PredictivePolicy{}.NewScaler(d, ScaleStart{Now: epoch, Scheduled: steps[0].requested})
		one := PredictivePolicy{}.NewScaler(d, ScaleStart{Now: epoch, Scheduled: steps[0].requested})
		at := time.Duration(0)
		for i, st := range steps {
			at += st.dt
			in := predictiveInput(at, d, st.requested, st.healthy, st.inflight, st.queued, st.arrived, st.completed)
			alone := one.Scale(in)
			in.Routers = routers
			dec := many.Scale(in)
			busy := st.arrived > 0 || st.inflight > 0 || st.queued > 0
			if scheme == SchemeSimple && busy && dec.ScaleTo < min(routers, d.MaxInstances) {
				t.Fatalf("pass %d: simple, %d routers, busy: ScaleTo %d", i, routers, dec.ScaleTo)
			}
			if scheme == SchemeBalanced && dec != alone {
				t.Fatalf("pass %d: balanced, %d routers decided %+v, one router %+v", i, routers, dec, alone)
			}
		}
	})
}

// routersPolicy records the Routers of every ScaleInput.
type routersPolicy struct{ seen []int }

func (p *routersPolicy) Name() string { return "routers" }
func (p *routersPolicy) NewScaler(*Description, ScaleStart) Scaler {
	return routersScaler{p}
}

type routersScaler struct{ p *routersPolicy }

func (s routersScaler) Scale(in ScaleInput) Decision {
	s.p.seen = append(s.p.seen, in.Routers)
	return Decision{ScaleTo: in.Requested}
}

// TestScaleInputCountsRouters: a policy learns how many routers share the
// service's instances: 1 for a router alone, the cluster's size in one.
func TestScaleInputCountsRouters(t *testing.T) {
	for _, tc := range []struct {
		name string
		h    func(cfg Config) *harness
		want int
	}{
		{"alone", func(cfg Config) *harness { return newHarness(t, cfg) }, 1},
		{"three routers", func(cfg Config) *harness { return clusterHarness(t, "r1", true, cfg) }, 3},
	} {
		rec := &routersPolicy{}
		h := tc.h(Config{Policies: map[string]Policy{"routers": rec}, DefaultPolicy: "routers"})
		d := mustDesc(t, nil)
		h.arrive(1, d)
		h.observe(d, 1, healthyAt("a", epoch))
		h.advanceBy(3 * time.Second)
		if len(rec.seen) == 0 {
			t.Fatalf("%s: no pass reached the policy", tc.name)
		}
		for _, n := range rec.seen {
			if n != tc.want {
				t.Fatalf("%s: Routers %v, want %d", tc.name, rec.seen, tc.want)
			}
		}
	}
}
