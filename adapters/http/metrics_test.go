package waiterhttp

import (
	"errors"
	"testing"

	"github.com/waiter-go/waiter/engine"
)

// Counting on the request path allocates nothing once a status code or
// refusal reason has been seen.
func TestMetricsRequestPathAllocatesNothing(t *testing.T) {
	m := newMetrics()
	refusal := &engine.Error{Code: engine.CodeUnavailable, Reason: engine.ReasonQueueTimeout}
	m.response("s", 200)
	m.rejected("s", refusal)
	allocs := testing.AllocsPerRun(100, func() {
		m.started()
		m.finished(engine.OutcomeSuccess)
		m.response("s", 200)
		m.rejected("s", refusal)
	})
	if allocs != 0 {
		t.Errorf("%v allocations per request", allocs)
	}
}

// Reasons are labelled by the engine's names; anything that is not an
// engine refusal is "other", and out-of-range keys still count.
func TestMetricsLabels(t *testing.T) {
	if got := reasonLabel(int(engine.ReasonQueueFull) + 1); got != "queue-full" {
		t.Errorf("reason label %q", got)
	}
	if got := reasonLabel(0); got != "other" {
		t.Errorf("non-engine label %q", got)
	}
	m := newMetrics()
	m.rejected("s", errors.New("boom"))
	m.response("s", 999)
	families, err := m.reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for _, f := range families {
		for _, s := range f.GetMetric() {
			for _, lp := range s.GetLabel() {
				if s.GetCounter().GetValue() == 1 {
					seen[f.GetName()+"/"+lp.GetValue()] = true
				}
			}
		}
	}
	if !seen["waiter_rejections_total/other"] || !seen["waiter_responses_total/999"] {
		t.Errorf("counted series: %v", seen)
	}
}

// Every refusal reason is a series before the first refusal.
func TestRejectionSeriesExistFromTheStart(t *testing.T) {
	families, err := newMetrics().reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	reasons := map[string]bool{}
	for _, f := range families {
		if f.GetName() == "waiter_rejections_total" {
			for _, s := range f.GetMetric() {
				reasons[s.GetLabel()[0].GetValue()] = true
			}
		}
	}
	for _, want := range []string{"other", "queue-full", "queue-timeout", "deployment-error", "suspended"} {
		if !reasons[want] {
			t.Errorf("no %s series in %v", want, reasons)
		}
	}
	if reasons["none"] || len(reasons) > 16 {
		t.Errorf("reasons %v", reasons)
	}
}
