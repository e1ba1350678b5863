package report

import (
	"html"
	"io"
	"reflect"
	"strings"
	"testing"

	"github.com/waiter-go/waiter/sim"
)

func TestCompareSideBySide(t *testing.T) {
	a, b := fixture(), fixture()
	b.Policy = "knative"
	b.Totals.InstanceSeconds = 74830.474
	b.Totals.LatencyMS.P99 = 12683.575
	reps := []*sim.Report{a, b}
	md := write(t, func(w io.Writer) error { return WriteCompareMarkdown(w, reps) })
	for _, want := range []string{"| figure | waiter | knative |", "| instance-hours | 48.325 | 20.786 |",
		"- knative against waiter: −57 % instance-hours, +154 % latency p99",
		"| against waiter | knative |", "| latency p99 | +154 % |", "| cold starts (requests) | ±0 % |",
		"healthy waiter", "p99 knative", "| p99_latency_ms | all | ≤ 1,000 | 4,999.61 FAIL | 4,999.61 FAIL |"} {
		if !strings.Contains(md, want) {
			t.Errorf("comparison Markdown lacks %q", want)
		}
	}
	page := write(t, func(w io.Writer) error { return WriteCompareHTML(w, reps) })
	checkSelfContained(t, page)
	for _, want := range []string{"<li>knative against waiter: −57 % instance-hours, +154 % latency p99</li>",
		`<td class="better">−57 %</td>`, `<td class="worse">+154 %</td>`, "<td>±0 %</td>"} {
		if !strings.Contains(html.UnescapeString(page), want) { // html/template writes + as &#43;
			t.Errorf("comparison HTML lacks %q", want)
		}
	}
	plots := pageData(t, page)
	if len(plots) != 3 {
		t.Errorf("want 3 overlaid charts, got %d", len(plots))
	}
	// Only the p99 assertion bounds the p99 chart.
	if r := plots["latency"].Refs; len(r) != 1 || r[0].Label != "assert p99 ≤ 1,000 ms" {
		t.Errorf("p99 chart reference lines %+v", r)
	}
	// Both policies' panic periods, each in its policy's colour.
	var panics []band
	for _, bd := range plots["instances"].Bands {
		if bd.Kind == "panic" {
			panics = append(panics, bd)
		}
	}
	if len(panics) != 2 || panics[0].Label != "waiter panic mode" || panics[1].Color != palette[1] {
		t.Errorf("panic bands %+v", panics)
	}
	text := write(t, func(w io.Writer) error { return WriteCompareSummary(w, reps) })
	if !strings.Contains(text, "waiter") || !strings.Contains(text, "20.786") ||
		!strings.Contains(text, "knative against waiter: −57 % instance-hours, +154 % latency p99") {
		t.Errorf("comparison summary:\n%s", text)
	}
}

// Two policies that behave the same draw the same lines; the later one is
// narrower, so the earlier one shows around it, and the legend says so.
func TestCompareHidesNoSeries(t *testing.T) {
	a, b, c := fixture(), fixture(), fixture()
	b.Policy, c.Policy = "knative", "other"
	c.Series.Healthy = append([]float64(nil), c.Series.Healthy...)
	c.Series.Healthy[3]++
	plots := pageData(t, write(t, func(w io.Writer) error { return WriteCompareHTML(w, []*sim.Report{a, b, c}) }))
	for _, p := range plots {
		widths := map[string]float64{}
		for _, s := range p.Series {
			policy, _, _ := strings.Cut(s.Label, " ")
			if w, seen := widths[policy]; seen && w != s.Width {
				t.Errorf("%s: %s has lines of two widths", p.ID, policy)
			}
			widths[policy] = s.Width
		}
		if !(widths["waiter"] > widths["knative"] && widths["knative"] > widths["other"]) {
			t.Errorf("%s: widths %v, want each later policy narrower", p.ID, widths)
		}
	}
	var labels []string
	for _, s := range plots["instances"].Series {
		labels = append(labels, s.Label)
	}
	want := []string{"waiter healthy", "waiter requested", "knative healthy (same as waiter healthy)",
		"knative requested (same as waiter requested)", "other healthy", "other requested (same as waiter requested)"}
	if !reflect.DeepEqual(labels, want) {
		t.Errorf("legend %q, want %q", labels, want)
	}
}

func TestFmtDelta(t *testing.T) {
	for _, c := range []struct {
		base, v float64
		want    string
	}{{173971.129, 74830.474, "−57 %"}, {4999.61, 12683.575, "+154 %"}, {100, 104.5, "+4.5 %"}, {100, 100, "±0 %"},
		{100, 100.01, "±0 %"}, {0, 3, "up from 0"}, {3, 0, "−100 %"}, {200, 190, "−5 %"}} {
		if got := fmtDelta(c.base, c.v); got != c.want {
			t.Errorf("fmtDelta(%v, %v) = %q, want %q", c.base, c.v, got, c.want)
		}
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
