package sim

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/waiter-go/waiter/sim/load"
	"github.com/waiter-go/waiter/sim/scenario"
)

// Window is a span of a run that its scenario marks: a fault or a change
// of load. Reports draw windows on their time charts, so a reader sees the
// cause next to the effect. An instant (a crash, a lost agent, a shift of
// a rollout's weights) has EndS equal to StartS.
type Window struct {
	// Kind is a fault kind (marathon-outage, slow-launch, agent-loss,
	// crash) or a load change: spike (a step up for a while), dip, step
	// (a step that lasts to the end), ramp, load-window, split.
	Kind    string  `json:"kind"`
	Label   string  `json:"label"`
	Service string  `json:"service,omitempty"`
	StartS  float64 `json:"start_seconds"`
	EndS    float64 `json:"end_seconds"`
}

// scenarioWindows lists the faults and load changes of sc within
// [0, end], sorted by start, end, kind and label, without duplicates
// (copies of one service share their load).
func scenarioWindows(sc *scenario.Scenario, end time.Duration) []Window {
	var out []Window
	add := func(w Window) {
		w.StartS = min(max(w.StartS, 0), end.Seconds())
		w.EndS = min(max(w.EndS, w.StartS), end.Seconds())
		out = append(out, w)
	}
	for _, f := range sc.Faults {
		add(faultWindow(f))
	}
	named := len(sc.Services) > 1
	for _, s := range sc.Services {
		svc := ""
		if named {
			svc = s.Name
		}
		if s.Load != nil {
			for _, w := range loadWindows(*s.Load, 0, end) {
				w.Service = svc
				add(w)
			}
		}
		if s.Split != nil {
			for _, w := range splitWindows(*s.Split) {
				w.Service = s.Name
				add(w)
			}
		}
	}
	slices.SortStableFunc(out, func(a, b Window) int {
		return cmp.Or(cmp.Compare(a.StartS, b.StartS), cmp.Compare(a.EndS, b.EndS),
			strings.Compare(a.Kind, b.Kind), strings.Compare(a.Label, b.Label), strings.Compare(a.Service, b.Service))
	})
	return slices.Compact(out)
}

func faultWindow(f scenario.Fault) Window {
	w := Window{Kind: string(f.Kind), StartS: f.Start.Seconds(), EndS: (f.Start + f.Duration).Seconds()}
	switch f.Kind {
	case scenario.FaultMarathonOutage:
		w.Label = "Marathon outage"
	case scenario.FaultSlowLaunch:
		w.Label = fmt.Sprintf("launches %gx slower", f.Factor)
	case scenario.FaultAgentLoss:
		w.Label, w.EndS = plural(f.Count, "agent")+" lost", w.StartS
	case scenario.FaultCrash:
		w.Label, w.EndS, w.Service = plural(f.Count, "instance")+" crash", w.StartS, f.Service
	case scenario.FaultRouterCrash:
		w.Label = f.Router + " crashes"
		if f.Duration > 0 {
			w.Label += ", restarts"
		}
	case scenario.FaultRouterPartition:
		w.Label = f.Router + " cut off from its peers"
	case scenario.FaultLeaderLoss:
		w.Label, w.EndS = "the leader loses its session", w.StartS
	default:
		w.Label = string(f.Kind)
	}
	return w
}

func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}

// loadWindows lists the changes of one arrival process: steps, spikes and
// dips, ramps, and the span a window spec lets through. Inner processes
// keep their own clock (see load.WindowSpec), so their windows are only
// clipped to the outer span [from, to).
func loadWindows(s load.Spec, from, to time.Duration) []Window {
	clip := func(start, end time.Duration) (float64, float64, bool) {
		start, end = max(start, from), min(end, to)
		return start.Seconds(), end.Seconds(), start <= end && start < to
	}
	var out []Window
	switch {
	case s.Step != nil:
		st := s.Step
		end, kind := st.Start+st.Duration, "spike"
		if st.Duration == 0 {
			end, kind = to, "step"
		}
		if st.Multiplier < 1 {
			kind = "dip"
		}
		if a, b, ok := clip(st.Start, end); ok {
			out = append(out, Window{Kind: kind, Label: fmt.Sprintf("%s x%g (%g to %g/s)", kind, st.Multiplier,
				st.Base, st.Base*st.Multiplier), StartS: a, EndS: b})
		}
	case s.Ramp != nil:
		r := s.Ramp
		if a, b, ok := clip(r.Start, r.Start+r.Duration); ok {
			out = append(out, Window{Kind: "ramp", Label: fmt.Sprintf("ramp %g to %g/s", r.From, r.To), StartS: a, EndS: b})
		}
	case s.Sum != nil:
		for _, in := range s.Sum.Of {
			out = append(out, loadWindows(in, from, to)...)
		}
	case s.Window != nil:
		w := s.Window
		end := w.End
		if end == 0 {
			end = to
		}
		if a, b, ok := clip(w.Start, end); ok {
			out = append(out, Window{Kind: "load-window", Label: "load on", StartS: a, EndS: b})
			out = append(out, loadWindows(w.Load, max(from, w.Start), min(to, end))...)
		}
	case s.Gaps != nil:
		out = append(out, loadWindows(s.Gaps.Load, from, to)...)
	}
	return out
}

// splitWindows marks each span of a rollout's schedule over which the
// weights move (they are interpolated between points, so a change from
// one point to the next is a window, or an instant for two points at the
// same time).
func splitWindows(s load.SplitSpec) []Window {
	var out []Window
	for i := 1; i < len(s.Schedule); i++ {
		a, b := s.Schedule[i-1], s.Schedule[i]
		if slices.Equal(a.Weights, b.Weights) {
			continue
		}
		parts := make([]string, len(b.Weights))
		for j, w := range b.Weights {
			v := fmt.Sprint(j)
			if j < len(s.Versions) {
				v = s.Versions[j]
			}
			from := 0.0
			if j < len(a.Weights) {
				from = a.Weights[j]
			}
			parts[j] = fmt.Sprintf("%s %g to %g", v, from, w)
		}
		out = append(out, Window{Kind: "split", Label: "weights " + strings.Join(parts, ", "),
			StartS: a.At.Seconds(), EndS: b.At.Seconds()})
	}
	return out
}
