package waiterhttp

import (
	"testing"

	"github.com/waiter-go/waiter"
	"github.com/waiter-go/waiter/engine"
)

// Before the policy's first decision, /state/{id} shows no decision rather
// than a decision to scale to zero.
func TestAutoscalerViewBeforeAndAfterADecision(t *testing.T) {
	snap := waiter.ServiceSnapshot{ID: "s", Requested: 2, Scheduled: 2, Waiting: 1, InFlight: 2,
		Autoscaler: waiter.AutoscalerSnapshot{Policy: "waiter"}}
	v := autoscalerView(snap)
	if v["scale-to-instances"] != nil || v["policy"] != "waiter" || v["outstanding-requests"] != 3 || v["total-instances"] != 2 {
		t.Errorf("before a decision: %v", v)
	}
	snap.Autoscaler = waiter.AutoscalerSnapshot{Policy: "waiter", Decided: true,
		Decision: engine.Decision{ScaleAmount: 1, ScaleTo: 3, Target: 2.5}}
	v = autoscalerView(snap)
	if v["scale-amount"] != 1 || v["scale-to-instances"] != 3 || v["target-instances"] != 2.5 {
		t.Errorf("after a decision: %v", v)
	}
}

// The engine's status wins over the counts (a deployment error makes a
// service Failing the moment the engine computes it), and an instance the
// engine considers expired carries Waiter's "expired" flag.
func TestEngineStatusAndExpiredFlag(t *testing.T) {
	healthy := waiter.InstanceSnapshot{ObservedInstance: engine.ObservedInstance{ID: "i1", Healthy: true}, Expired: true}
	snap := waiter.ServiceSnapshot{Status: statusFailing, Requested: 1, Scheduled: 1, Instances: []waiter.InstanceSnapshot{healthy}}
	if got := serviceStatus(snap); got != statusFailing {
		t.Errorf("status %s, want the engine's Failing", got)
	}
	view := instanceView("s", healthy)
	if flags := view["flags"].([]string); len(flags) != 1 || flags[0] != "expired" {
		t.Errorf("flags %v", flags)
	}
	tags := statusTags(waiter.InstanceSnapshot{Ejected: true, Locked: true})
	if len(tags) != 3 || tags[0] != "unhealthy" || tags[1] != "ejected" || tags[2] != "locked" {
		t.Errorf("status tags %v", tags)
	}
}
