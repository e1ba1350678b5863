package report

import (
	"encoding/json"
	"io"
	"math"
	"reflect"
	"strings"
	"testing"

	"github.com/waiter-go/waiter/sim"
)

// Rates and counts never share an axis: each chart has one y axis, and
// the series of one unit sit together.
func TestRunChartsKeepOneUnitPerAxis(t *testing.T) {
	plots := pageData(t, write(t, func(w io.Writer) error { return WriteHTML(w, fixture()) }))
	want := map[string]struct {
		unit   string
		series []string
	}{
		"rates":     {"req/s", []string{"arrivals", "completed", "rejected"}},
		"instances": {"instances", []string{"desired", "requested", "healthy"}},
		"requests":  {"requests", []string{"outstanding (max)", "queued (max)"}},
		"latency":   {"ms", []string{"p50", "p99"}},
	}
	for id, w := range want {
		p, ok := plots[id]
		if !ok {
			t.Errorf("no %s chart", id)
			continue
		}
		var labels []string
		for _, s := range p.Series {
			labels = append(labels, s.Label)
		}
		if p.Y.Unit != w.unit || !reflect.DeepEqual(labels, w.series) {
			t.Errorf("%s: unit %q series %v, want %q %v", id, p.Y.Unit, labels, w.unit, w.series)
		}
		if !p.X.Time || len(p.X.Values) != 30 {
			t.Errorf("%s: not on the run's time axis", id)
		}
	}
	// 1,000 arrivals in a 10 s interval are 100 per second.
	if a := seriesIn(t, plots["rates"], "arrivals"); *a[10] != 100 {
		t.Errorf("arrivals/s at the burst = %v, want 100", *a[10])
	}
	if d := seriesIn(t, plots["instances"], "desired"); *d[10] != 44 {
		t.Errorf("desired at the burst = %v, want 44", *d[10])
	}
}

func TestLatencyIsLogWithGapsAndAssertionLines(t *testing.T) {
	plots := pageData(t, write(t, func(w io.Writer) error { return WriteHTML(w, fixture()) }))
	lat := plots["latency"]
	if !lat.Y.Log || !strings.Contains(lat.Y.Label, "log") {
		t.Errorf("latency axis %+v, want a log scale that says so", lat.Y)
	}
	// Nothing completed in the last interval: its percentile is a gap,
	// not 0 ms (which a log axis cannot place anyway).
	if p50 := seriesIn(t, lat, "p50"); p50[29] != nil || p50[28] == nil {
		t.Error("the interval without completions is not a gap")
	}
	wantRefs := []ref{
		{Value: 1000, Label: "assert p99 ≤ 1,000 ms", Kind: "assertion"},
		{Value: 500, Label: "assert svc-02 p50 ≤ 500 ms", Kind: "assertion"},
	}
	if !reflect.DeepEqual(lat.Refs, wantRefs) {
		t.Errorf("latency reference lines %+v, want %+v", lat.Refs, wantRefs)
	}
}

func TestInstancesShowLimitsPanicAndWindows(t *testing.T) {
	rep := fixture()
	rep.MaxInstances = 60 // within reach of the 44 the series peak at
	plots := pageData(t, write(t, func(w io.Writer) error { return WriteHTML(w, rep) }))
	inst := plots["instances"]
	wantRefs := []ref{
		{Value: 60, Label: "max-instances 60 (sum over 25 services)", Kind: "limit"},
		{Value: 50, Label: "assert peak instances ≤ 50", Kind: "assertion"},
	}
	if !reflect.DeepEqual(inst.Refs, wantRefs) {
		t.Errorf("instance reference lines %+v, want %+v", inst.Refs, wantRefs)
	}
	wantBands := []band{
		{From: 120, To: 150, Label: "panic mode", Kind: "panic"},
		{From: 100, To: 200, Label: "spike x20 (5 to 100/s)", Kind: "load"},
		{From: 250, To: 250, Label: "2 instances crash (svc-01)", Kind: "fault"},
	}
	if !reflect.DeepEqual(inst.Bands, wantBands) {
		t.Errorf("instance bands %+v, want %+v", inst.Bands, wantBands)
	}
	for _, id := range []string{"rates", "requests", "latency"} {
		if !reflect.DeepEqual(plots[id].Bands, wantBands[1:]) {
			t.Errorf("%s: bands %+v, want the scenario's windows", id, plots[id].Bands)
		}
	}
}

func TestLimitFarAboveTheDataBecomesANote(t *testing.T) {
	page := write(t, func(w io.Writer) error { return WriteHTML(w, fixture()) }) // max-instances 1,250
	for _, r := range pageData(t, page)["instances"].Refs {
		if r.Kind == "limit" {
			t.Errorf("a limit of 1,250 over data peaking at 44 is drawn: %+v", r)
		}
	}
	if !strings.Contains(page, "max-instances 1,250 (sum over 25 services) is off this chart (its data peaks at 44 instances).") {
		t.Error("the caption does not say where the limit is")
	}
}

func TestPerServiceChartForRunsOfAFewServices(t *testing.T) {
	rep := fixture()
	rep.Services = rep.Services[:3]
	for i := range rep.Services {
		s := rep.Series
		s.Healthy = []float64{float64(i), float64(i + 1)}
		rep.Services[i].Series = &s
	}
	p, ok := pageData(t, write(t, func(w io.Writer) error { return WriteHTML(w, rep) }))["services"]
	if !ok || len(p.Series) != 3 || p.Series[2].Label != "svc-02" || *p.Series[2].Values[1] != 3 || p.Series[2].Values[2] != nil {
		t.Fatalf("per-service chart %+v", p.Series)
	}
	if p.Series[0].Color == p.Series[1].Color {
		t.Error("two services share a colour")
	}
}

func TestPanicBandsJoinConsecutiveIntervals(t *testing.T) {
	s := sim.Series{IntervalS: 5, TimeS: []float64{0, 5, 10, 15, 20, 25}, Panicking: []float64{1, 2, 0, 0, 1, 1}}
	got := panicBands(s, "p", "#000000")
	want := []band{{From: 0, To: 10, Label: "p", Kind: "panic", Color: "#000000"},
		{From: 20, To: 30, Label: "p", Kind: "panic", Color: "#000000"}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("panic bands %+v, want %+v", got, want)
	}
}

func TestNumsEncodeGapsAsNull(t *testing.T) {
	b, err := json.Marshal(nums{1, math.NaN(), 2.5, math.Inf(1), 1e21, 0})
	if err != nil || string(b) != "[1,null,2.5,null,1e+21,0]" {
		t.Errorf("got %s %v", b, err)
	}
	if b, _ := json.Marshal(nums(nil)); string(b) != "[]" {
		t.Errorf("nil: %s", b)
	}
}

func TestAssertionMetricsInEitherSpelling(t *testing.T) {
	as := []sim.AssertionResult{{Metric: "p99-latency-ms", Max: f64(5)}, {Metric: "peak-instances", Min: f64(2)}}
	if r := latencyRefs(as); len(r) != 1 || r[0].Label != "assert p99 ≤ 5 ms" {
		t.Errorf("kebab-case latency assertion: %+v", r)
	}
	if r := instanceRefs(0, 1, as); len(r) != 1 || r[0].Label != "assert peak instances ≥ 2" {
		t.Errorf("kebab-case instance assertion: %+v", r)
	}
	if r := latencyRefs(as, "p50"); len(r) != 0 {
		t.Errorf("a p99 bound on a p50-only chart: %+v", r)
	}
}
