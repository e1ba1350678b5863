package engine

import (
	"fmt"
	"testing"
	"time"

	"pgregory.net/rapid"
)

// A scheduler adapter turns what its scheduler says into Observations,
// and a scheduler (or whatever stands in front of it) may say odd
// things: an instance listed twice, one without an id, counts below
// zero or far apart from the instances listed, a zero start time, a
// failed instance that is also live. TestOddObservationsKeepTheEngineWhole
// sends the engine such observations among requests, finishes, cancels,
// scheduler results and time passing. The engine must not panic, must
// dispatch only to an instance the last observation listed, never ask
// for a negative instance count, and must still end every request
// exactly once.
func TestOddObservationsKeepTheEngineWhole(t *testing.T) {
	rapid.Check(t, func(rt *rapid.T) {
		d := mustDesc(rt, Params{"name": "odd", "concurrency-level": float64(rapid.IntRange(1, 2).Draw(rt, "cl")),
			"min-instances": 1.0, "max-instances": float64(rapid.IntRange(1, 3).Draw(rt, "max")),
			"max-queue-length": 4.0, "grace-period-secs": 0.0})
		e := New(Config{Seed: rapid.Uint64().Draw(rt, "seed")})
		now := epoch
		listed := map[string]bool{}  // ids the last observation listed as live
		open := map[RequestID]bool{} // requests not ended
		var order []RequestID        // every request, in arrival order
		dispatched := map[RequestID]bool{}
		next := RequestID(1)
		ids := []string{"a", "b", "c", ""}
		step := func(ev Event) {
			ev.At = now
			for _, a := range e.Step(ev) {
				switch a.Kind {
				case ActDispatch:
					if !listed[a.Instance] {
						rt.Fatalf("dispatched %d to %q, which the last observation did not list (%v)", a.Request, a.Instance, listed)
					}
					if !open[a.Request] || dispatched[a.Request] {
						rt.Fatalf("dispatched request %d, which is not waiting", a.Request)
					}
					dispatched[a.Request] = true
				case ActReject:
					if !open[a.Request] {
						rt.Fatalf("rejected request %d, which is not open", a.Request)
					}
					delete(open, a.Request)
				case ActScaleService, ActCreateService:
					if a.Instances < 0 {
						rt.Fatalf("asked for %d instances", a.Instances)
					}
				}
			}
		}
		steps := rapid.IntRange(1, 40).Draw(rt, "steps")
		for i := range steps {
			switch rapid.IntRange(0, 6).Draw(rt, fmt.Sprint("event", i)) {
			case 0, 1: // an odd observation
				obs := &Observation{Exists: rapid.IntRange(0, 5).Draw(rt, fmt.Sprint("exists", i)) > 0,
					Requested: rapid.IntRange(-3, 5).Draw(rt, fmt.Sprint("requested", i)),
					Scheduled: rapid.IntRange(-3, 5).Draw(rt, fmt.Sprint("scheduled", i))}
				for j := range rapid.IntRange(0, 4).Draw(rt, fmt.Sprint("instances", i)) {
					obs.Instances = append(obs.Instances, ObservedInstance{
						ID:        rapid.SampledFrom(ids).Draw(rt, fmt.Sprint("id", i, ".", j)),
						Host:      "h",
						Port:      rapid.IntRange(-1, 2).Draw(rt, fmt.Sprint("port", i, ".", j)),
						StartedAt: now.Add(-time.Duration(rapid.IntRange(-5, 5).Draw(rt, fmt.Sprint("age", i, ".", j))) * time.Minute),
						Healthy:   rapid.Bool().Draw(rt, fmt.Sprint("healthy", i, ".", j)),
					})
				}
				if rapid.Bool().Draw(rt, fmt.Sprint("failed", i)) {
					obs.Failed = append(obs.Failed, ObservedInstance{ID: rapid.SampledFrom(ids).Draw(rt, fmt.Sprint("failedID", i))})
				}
				listed = map[string]bool{}
				if obs.Exists {
					for _, in := range obs.Instances {
						listed[in.ID] = true
					}
				}
				step(Event{Kind: EvServiceObserved, Service: d.ID, Description: d, Observation: obs})
			case 2: // a request
				open[next] = true
				order = append(order, next)
				step(Event{Kind: EvRequestArrived, Service: d.ID, Description: d, Request: next})
				next++
			case 3: // an open request ends, or its client leaves
				if len(order) == 0 {
					break
				}
				id := order[rapid.IntRange(0, len(order)-1).Draw(rt, fmt.Sprint("which", i))]
				if !open[id] {
					break
				}
				if dispatched[id] {
					step(Event{Kind: EvRequestFinished, Request: id,
						Outcome: rapid.SampledFrom([]Outcome{OutcomeSuccess, OutcomeInstanceError, OutcomeInstanceBusy, OutcomeClientError}).Draw(rt, fmt.Sprint("outcome", i))})
				} else {
					step(Event{Kind: EvRequestCanceled, Request: id})
				}
				delete(open, id)
			case 4: // a scheduler result
				var err error
				if rapid.Bool().Draw(rt, fmt.Sprint("refused", i)) {
					err = fmt.Errorf("refused")
				}
				step(Event{Kind: rapid.SampledFrom([]EventKind{EvScaleResult, EvCreateResult, EvKillResult}).Draw(rt, fmt.Sprint("result", i)),
					Service: d.ID, Instance: rapid.SampledFrom(ids).Draw(rt, fmt.Sprint("resultID", i)), Err: err})
			default: // time passes
				now = now.Add(time.Duration(rapid.IntRange(1, 120).Draw(rt, fmt.Sprint("seconds", i))) * time.Second)
				step(Event{Kind: EvTick})
			}
		}
		// Every request still open ends: finished if an instance has it,
		// else its client leaves. None may be left behind.
		for _, id := range order {
			if !open[id] {
				continue
			}
			if dispatched[id] {
				step(Event{Kind: EvRequestFinished, Request: id, Outcome: OutcomeSuccess})
			} else {
				step(Event{Kind: EvRequestCanceled, Request: id})
			}
		}
		if e.requests.n != 0 || e.Waiting() != 0 {
			rt.Fatalf("%d requests held, %d waiting, after every one ended", e.requests.n, e.Waiting())
		}
	})
}
