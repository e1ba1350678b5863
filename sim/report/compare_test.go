package report

import (
	"io"
	"strings"
	"testing"

	"github.com/waiter-go/waiter/sim"
)

func TestCompareSideBySide(t *testing.T) {
	a, b := fixture(), fixture()
	b.Policy = "knative"
	b.Totals.InstanceSeconds = 74830.474
	reps := []*sim.Report{a, b}
	md := write(t, func(w io.Writer) error { return WriteCompareMarkdown(w, reps) })
	for _, want := range []string{"| figure | waiter | knative |", "| instance-seconds | 173,971.129 | 74,830.474 |",
		"healthy waiter", "p99 knative", "| p99_latency_ms | all | ≤ 1,000 | 4,999.61 FAIL | 4,999.61 FAIL |"} {
		if !strings.Contains(md, want) {
			t.Errorf("comparison Markdown lacks %q", want)
		}
	}
	page := write(t, func(w io.Writer) error { return WriteCompareHTML(w, reps) })
	if n := strings.Count(page, "<svg"); n != 3 {
		t.Errorf("want 3 overlaid charts, got %d", n)
	}
	if m := external.FindString(page); m != "" {
		t.Errorf("comparison HTML refers outside itself: %q", m)
	}
	text := write(t, func(w io.Writer) error { return WriteCompareSummary(w, reps) })
	if !strings.Contains(text, "waiter") || !strings.Contains(text, "74,830.474") {
		t.Errorf("comparison summary:\n%s", text)
	}
}

func TestCompareRefusesDifferentScenarios(t *testing.T) {
	a, b := fixture(), fixture()
	b.Scenario = "other"
	if err := WriteCompareMarkdown(io.Discard, []*sim.Report{a, b}); err == nil {
		t.Error("want an error comparing different scenarios")
	}
	if err := WriteCompareHTML(io.Discard, nil); err == nil {
		t.Error("want an error comparing nothing")
	}
}

func TestRepeatedPoliciesAreNumbered(t *testing.T) {
	got := policyLabels([]*sim.Report{{Policy: "waiter"}, {Policy: "waiter"}, {Policy: "knative"}})
	if strings.Join(got, ",") != "waiter,waiter #2,knative" {
		t.Errorf("labels %v", got)
	}
}
