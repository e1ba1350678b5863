package syncer

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/cockroachdb/datadriven"

	"github.com/waiter-go/waiter/engine"
)

// TestTraces runs the scripts in testdata/: each command is an event or a
// report from the driver, and its expected output the actions the syncer
// returns, rendered by Describe with service ids shown by their alias.
// Wake-ups are left out (they are the engine's own timer). Regenerate
// with `go test ./engine/syncer/ -run TestTraces -rewrite`.
//
// Commands (times advance only with "advance"):
//
//	service a [min-instances=2]       names a service description "a"
//	start                             the first poll
//	advance 1.5s                      moves the clock
//	tick                              an engine tick
//	arrive a req=1 [timeout=5s]       a request
//	finish req=1 [outcome=instance-error]
//	cancel a req=1
//	poll-start                        prints the poll's number
//	observe seq=1 a requested=1 healthy=(a.1) starting=(a.2)
//	absent seq=1 a                    one service's observation: not running
//	notify a requested=1 healthy=(a.1) numbers and applies one observation
//	poll-done seq=1 listed=(a) [err=unavailable]
//	done call=1 [err=locked]          a scheduler call's outcome
//	kill a a.1 [force]                an operator kill
//	delete a
//	state a                           what the syncer and engine know of a
//
// Each script runs twice: observing through Observed and stepping
// through Step, then through ObservedHint with one hint per service kept
// for the whole script (as the simulator keeps them) and StepSplit, which
// must change nothing: a hint gone stale (a service deleted, re-created,
// adopted) is only a hint, and StepSplit's engine actions then its own are
// Step's actions.
func TestTraces(t *testing.T) {
	for _, hinted := range []bool{false, true} {
		datadriven.Walk(t, "testdata", func(t *testing.T, path string) {
			h := &traceHarness{now: epoch, descs: map[string]*engine.Description{}}
			if hinted {
				h.hints = map[string]*ObserveHint{}
			}
			h.s = New(engine.New(engine.Config{Seed: 1, DeploymentErrorMinHosts: 1}), Config{KeepViews: true})
			datadriven.RunTest(t, path, func(t *testing.T, d *datadriven.TestData) string {
				out := h.run(t, d)
				h.checkRecords(t, d)
				return out
			})
		})
	}
}

var epoch = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)

// checkRecords checks what Step relies on to skip a request's record:
// every service the engine knows has a record with its description.
func (h *traceHarness) checkRecords(t *testing.T, d *datadriven.TestData) {
	for _, id := range h.s.Engine().ServiceIDs() {
		if rec := h.s.services[id]; rec == nil || rec.desc == nil {
			d.Fatalf(t, "%s: the engine knows %s, the syncer has record %+v", d.Pos, id, rec)
		}
	}
}

type traceHarness struct {
	s     *Syncer
	now   time.Time
	descs map[string]*engine.Description
	alias []string // "id=alias" pairs for the replacer
	// hints, when not nil, holds the ObserveHint of each service id.
	hints map[string]*ObserveHint
}

// observed is Observed, or ObservedHint with the service's hint.
func (h *traceHarness) observed(seq uint64, id string, o *engine.Observation, adopt *engine.Description) []Action {
	if h.hints == nil {
		return h.s.Observed(h.now, seq, id, o, adopt)
	}
	hint := h.hints[id]
	if hint == nil {
		hint = &ObserveHint{}
		h.hints[id] = hint
	}
	return h.s.ObservedHint(h.now, seq, id, o, adopt, hint)
}

// step is Step, or StepSplit (with hints, as the simulator steps) with
// the engine's actions it passes through put back in front as Step's.
func (h *traceHarness) step(ev engine.Event) []Action {
	if h.hints == nil {
		return h.s.Step(h.now, ev)
	}
	pass, out := h.s.StepSplit(h.now, &ev)
	var acts []Action
	for _, a := range pass {
		acts = append(acts, Action{Kind: ActEngine, Engine: a})
	}
	return append(acts, out...)
}

// errs are the scheduler errors a script can name.
var errs = map[string]error{
	"locked":      errors.New("app is locked by a deployment (409)"),
	"unavailable": errors.New("scheduler unavailable (503)"),
	"not-found":   errors.New("no such instance (404)"),
}

func (h *traceHarness) run(t *testing.T, d *datadriven.TestData) string {
	arg := func(key string) (string, bool) {
		for _, a := range d.CmdArgs {
			if a.Key == key && len(a.Vals) > 0 {
				return a.Vals[0], true
			}
		}
		return "", false
	}
	vals := func(key string) []string {
		for _, a := range d.CmdArgs {
			if a.Key == key {
				return a.Vals
			}
		}
		return nil
	}
	num := func(key string) uint64 {
		var n uint64
		d.ScanArgs(t, key, &n)
		return n
	}
	// positional returns the i-th argument that has no value.
	positional := func(i int) string {
		for _, a := range d.CmdArgs {
			if len(a.Vals) == 0 && a.Key != "force" && a.Key != "adopt" {
				if i == 0 {
					return a.Key
				}
				i--
			}
		}
		d.Fatalf(t, "%s: missing argument", d.Cmd)
		return ""
	}
	svc := func(i int) *engine.Description {
		desc := h.descs[positional(i)]
		if desc == nil {
			d.Fatalf(t, "%s: unknown service %q", d.Cmd, positional(i))
		}
		return desc
	}
	errArg := func() error {
		name, ok := arg("err")
		if !ok {
			return nil
		}
		err := errs[name]
		if err == nil {
			d.Fatalf(t, "unknown error %q", name)
		}
		return err
	}
	var acts []Action
	switch d.Cmd {
	case "service":
		name := positional(0)
		p := engine.Params{"cmd": "run " + name, "cpus": 1.0, "mem": 256.0, "version": "v1", "name": name}
		for _, a := range d.CmdArgs[1:] {
			if len(a.Vals) == 0 {
				continue
			}
			var n float64
			a.Scan(t, 0, &n)
			p[a.Key] = n
		}
		desc, err := engine.NewDescription(p, engine.DescriptionOptions{})
		if err != nil {
			d.Fatalf(t, "service %s: %v", name, err)
		}
		h.descs[name] = desc
		h.alias = append(h.alias, desc.ID, name)
		return ""
	case "start":
		acts = h.s.Start(h.now)
	case "advance":
		dur, err := time.ParseDuration(positional(0))
		if err != nil {
			d.Fatalf(t, "advance: %v", err)
		}
		h.now = h.now.Add(dur)
		return "now " + engine.Offset(h.now, epoch)
	case "tick":
		acts = h.step(engine.Event{Kind: engine.EvTick})
	case "arrive":
		desc := svc(0)
		ev := engine.Event{Kind: engine.EvRequestArrived, Service: desc.ID, Description: desc,
			Request: engine.RequestID(num("req"))}
		if v, ok := arg("timeout"); ok {
			ev.QueueTimeout, _ = time.ParseDuration(v)
		}
		acts = h.step(ev)
	case "finish":
		ev := engine.Event{Kind: engine.EvRequestFinished, Request: engine.RequestID(num("req"))}
		if v, ok := arg("outcome"); ok {
			for o := engine.OutcomeSuccess; o <= engine.OutcomeInstanceBusy; o++ {
				if o.String() == v {
					ev.Outcome = o
				}
			}
		}
		acts = h.step(ev)
	case "cancel":
		acts = h.step(engine.Event{Kind: engine.EvRequestCanceled, Service: svc(0).ID, Request: engine.RequestID(num("req"))})
	case "poll-start":
		return fmt.Sprintf("seq %d", h.s.PollStarted(h.now))
	case "observe", "notify":
		desc := svc(0)
		var seq uint64
		if d.Cmd == "notify" {
			seq = h.s.ObservationStarted(h.now)
		} else {
			seq = num("seq")
		}
		o := h.observation(t, d, vals)
		var adopt *engine.Description
		if d.HasArg("adopt") && h.s.Adoptable(desc.ID) {
			adopt = desc
		}
		acts = h.observed(seq, desc.ID, o, adopt)
	case "absent":
		acts = h.observed(num("seq"), svc(0).ID, &engine.Observation{}, nil)
	case "poll-done":
		listed := map[string]bool{}
		for _, name := range vals("listed") {
			if desc := h.descs[name]; desc != nil {
				listed[desc.ID] = true
			}
		}
		acts = h.s.PollDone(h.now, num("seq"), errArg(), func(id string) bool { return listed[id] })
	case "done":
		acts = h.s.CallDone(h.now, num("call"), errArg())
	case "kill":
		var err error
		acts, err = h.s.OperatorKill(h.now, svc(0).ID, positional(1), d.HasArg("force"))
		if err != nil {
			return h.render(acts) + "refused: " + err.Error() + "\n"
		}
	case "delete":
		acts = h.step(engine.Event{Kind: engine.EvDeleteService, Service: svc(0).ID})
	case "state":
		return h.state(svc(0).ID)
	default:
		d.Fatalf(t, "unknown command %q", d.Cmd)
	}
	return h.render(acts)
}

// observation builds an Observation from requested=N, healthy=(ids) and
// starting=(ids); instances started at the current time.
func (h *traceHarness) observation(t *testing.T, d *datadriven.TestData, vals func(string) []string) *engine.Observation {
	o := &engine.Observation{Exists: true}
	if d.HasArg("requested") {
		d.ScanArgs(t, "requested", &o.Requested)
	}
	for _, kind := range []string{"healthy", "starting"} {
		for _, id := range vals(kind) {
			o.Instances = append(o.Instances, engine.ObservedInstance{ID: id, Host: "host", Port: 1,
				StartedAt: h.now, Healthy: kind == "healthy"})
		}
	}
	o.Scheduled = len(o.Instances)
	return o
}

func (h *traceHarness) render(acts []Action) string {
	var keep []Action
	for _, a := range acts {
		if a.Kind == ActEngine && a.Engine.Kind == engine.ActWakeAt {
			continue
		}
		keep = append(keep, a)
	}
	return strings.NewReplacer(h.alias...).Replace(Describe(keep, epoch))
}

// state shows the syncer's and the engine's view of one service.
func (h *traceHarness) state(id string) string {
	var b strings.Builder
	v, known := h.s.View(id)
	fmt.Fprintf(&b, "router knows it: %v, observed: %v, deleting: %v\n", known, v.Observed, slices.Contains(h.s.Deleting(), id))
	if snap, ok := h.s.Engine().Service(id); ok {
		fmt.Fprintf(&b, "engine: requested %d, scheduled %d, instances", snap.Requested, snap.Scheduled)
		for _, in := range snap.Instances {
			fmt.Fprintf(&b, " %s", in.ID)
			if in.Healthy {
				b.WriteString("(healthy)")
			}
			if in.Locked {
				b.WriteString("(locked)")
			}
			if in.Killed {
				b.WriteString("(killed)")
			}
		}
		b.WriteByte('\n')
	} else {
		b.WriteString("engine: unknown\n")
	}
	for _, k := range v.Killed {
		fmt.Fprintf(&b, "killed %s\n", k.ID)
	}
	return strings.NewReplacer(h.alias...).Replace(b.String())
}
