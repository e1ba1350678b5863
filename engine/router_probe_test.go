package engine

import "testing"

func TestApplyRouterProbe(t *testing.T) {
	facts := map[string]InstanceFlags{}
	in := ObservedInstance{ID: "i1", Flags: FlagHasConnected}
	ApplyRouterProbe(&in, RouterProbe{Status: 503, Flags: FlagHasResponded}, facts)
	if in.Healthy || in.HealthCheckStatus != 503 || in.Flags != FlagHasConnected|FlagHasResponded {
		t.Fatalf("after a 503: %+v", in)
	}
	ApplyRouterProbe(&in, RouterProbe{Healthy: true, Status: 200}, facts)
	if !in.Healthy || in.HealthCheckStatus != 200 {
		t.Fatalf("after a 200: %+v", in)
	}
	if facts["i1"] != FlagHasResponded {
		t.Fatalf("facts %v, want what the probes learnt (responded)", facts)
	}
}
