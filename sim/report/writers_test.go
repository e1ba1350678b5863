package report

import (
	"bytes"
	"encoding/json"
	"io"
	"math"
	"reflect"
	"regexp"
	"strings"
	"testing"

	"github.com/waiter-go/waiter/sim"
)

func write(t *testing.T, f func(io.Writer) error) string {
	t.Helper()
	var b bytes.Buffer
	if err := f(&b); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

func TestJSONRoundTrip(t *testing.T) {
	rep := fixture()
	out := write(t, func(w io.Writer) error { return WriteJSON(w, rep) })
	if !strings.HasSuffix(out, "}\n") || !strings.Contains(out, "\n  \"scenario\": \"fixture\"") {
		t.Errorf("want indented JSON ending in a newline, got %.80q", out)
	}
	var back sim.Report
	if err := json.Unmarshal([]byte(out), &back); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(&back, rep) {
		t.Errorf("round trip changed the report:\n got %+v\nwant %+v", back, *rep)
	}
	// Map keys come out sorted, whatever the map's order.
	if i, j := strings.Index(out, `"max-queue-length"`), strings.Index(out, `"queue-timeout"`); i < 0 || j < i {
		t.Errorf("rejected_by_reason keys not sorted")
	}
}

func TestMarkdownHasTheFigures(t *testing.T) {
	md := write(t, func(w io.Writer) error { return WriteMarkdown(w, fixture()) })
	for _, want := range []string{
		"# Scenario `fixture`",
		"> A <script>alert(1)</script> burst | with a pipe.",
		"| requests | 329,952 |",
		"| rejected | 12 (0.00%) |",
		"| rejected by reason | max-queue-length 3, queue-timeout 9 |",
		"| instance-hours | 48.325 |",
		"| p99 | 4,999.61 ms |",
		"| p99.9 | 5,603.59 ms |",
		"| peak instances | 198 |",
		"The 20 services with the most requests; 5 more are omitted",
		"| p99_latency_ms | all | ≤ 1,000 | 4,999.61 | ❌ **FAIL** |",
		"| cold_starts | svc-03 | between 1 and 10 | 4 | ✅ pass |",
		"Assertions: **2 of 5 FAIL**",
		"[report.html](report.html)",
		"arrivals/s", "▁", "█", "peak 100", // 1000 arrivals per 10 s
		"desired instances", "## Faults and load changes", "- 1m40s to 3m20s: spike x20 (5 to 100/s)",
		"- 4m10s: 2 instances crash (svc-01)",
	} {
		if !strings.Contains(md, want) {
			t.Errorf("Markdown lacks %q", want)
		}
	}
	if n := strings.Count(md, "\n| svc-"); n != 20 {
		t.Errorf("Markdown lists %d services, want 20", n)
	}
}

// external matches a reference to anything outside the file.
var external = regexp.MustCompile(`(?i)(src|href)\s*=|url\(|@import|https?://|fetch\(|XMLHttpRequest|import\(`)

// checkSelfContained fails unless the page refers to nothing outside
// itself. The one URL allowed is in uPlot's licence banner, a comment.
func checkSelfContained(t *testing.T, page string) {
	t.Helper()
	const banner = "/*! https://github.com/leeoniya/uPlot (v1.6.32) */"
	if strings.Count(page, banner) != 1 {
		t.Fatal("uPlot 1.6.32 is not inlined once")
	}
	if m := external.FindString(strings.Replace(page, banner, "", 1)); m != "" {
		t.Errorf("page refers outside itself: %q", m)
	}
	for _, want := range []string{"<style>", "var waiterReport = {", "window.waiterCharts"} {
		if !strings.Contains(page, want) {
			t.Errorf("page lacks %q", want)
		}
	}
}

func TestInlinedScriptsCannotEndTheirElement(t *testing.T) {
	for name, js := range map[string]string{"uPlot": string(uplotJS), "charts.js": string(chartsJS)} {
		if strings.Contains(strings.ToLower(js), "</script") || strings.Contains(js, "<!--") {
			t.Errorf("%s holds </script or <!--, which would end or confuse its inline element", name)
		}
	}
	rep := fixture()
	rep.Windows[0].Label = "</script><script>alert(1)</script>"
	page := write(t, func(w io.Writer) error { return WriteHTML(w, rep) })
	if strings.Contains(page, "</script><script>alert") {
		t.Error("a window label ended the data script")
	}
	if pageData(t, page)["rates"].Bands[0].Label != rep.Windows[0].Label {
		t.Error("the label did not survive the escaping")
	}
}

func TestHTMLIsSelfContained(t *testing.T) {
	page := write(t, func(w io.Writer) error { return WriteHTML(w, fixture()) })
	checkSelfContained(t, page)
	for _, want := range []string{"&lt;script&gt;alert(1)&lt;/script&gt;", "329,952",
		`<td class="fail">FAIL</td>`, "5 more are omitted", `id="plot-rates"`, `id="plot-latency"`,
		"<h3>Faults and load changes</h3>", "<td>spike x20 (5 to 100/s)</td>", "<td>2 instances crash (svc-01)</td>"} {
		if !strings.Contains(page, want) {
			t.Errorf("HTML lacks %q", want)
		}
	}
	if n := len(pageData(t, page)); n != 4 {
		t.Errorf("want 4 charts (the fixture's services have no series of their own), got %d", n)
	}
}

func TestWritersAreDeterministic(t *testing.T) {
	a, b := fixture(), fixture()
	b.Policy = "knative"
	pair := []*sim.Report{a, b}
	values := []string{"0.1", "0.3"}
	writers := map[string]func(io.Writer) error{
		"json":         func(w io.Writer) error { return WriteJSON(w, a) },
		"markdown":     func(w io.Writer) error { return WriteMarkdown(w, a) },
		"html":         func(w io.Writer) error { return WriteHTML(w, a) },
		"summary":      func(w io.Writer) error { return WriteSummary(w, a) },
		"compare md":   func(w io.Writer) error { return WriteCompareMarkdown(w, pair) },
		"compare html": func(w io.Writer) error { return WriteCompareHTML(w, pair) },
		"sweep md":     func(w io.Writer) error { return WriteSweepMarkdown(w, "scale-up-factor", values, pair) },
		"sweep html":   func(w io.Writer) error { return WriteSweepHTML(w, "scale-up-factor", values, pair) },
	}
	for name, f := range writers {
		if x, y := write(t, f), write(t, f); x != y {
			t.Errorf("%s: two writes differ", name)
		}
	}
}

func TestFewPointsStillWrite(t *testing.T) {
	for _, n := range []int{0, 1} {
		rep := fixture()
		s := &rep.Series
		s.TimeS, s.Arrivals, s.Completed, s.Rejected = s.TimeS[:n], s.Arrivals[:n], s.Completed[:n], s.Rejected[:n]
		s.Outstanding, s.Queued, s.Requested, s.Healthy = s.Outstanding[:n], s.Queued[:n], s.Requested[:n], s.Healthy[:n]
		s.Tasks, s.P50MS, s.P99MS, s.Desired, s.Panicking = s.Tasks[:n], s.P50MS[:n], s.P99MS[:n], s.Desired[:n], s.Panicking[:n]
		page := write(t, func(w io.Writer) error { return WriteHTML(w, rep) })
		if strings.Contains(page, `class="chart"`) || strings.Count(page, "Too few points") != 4 {
			t.Errorf("%d points: want no chart and a note for each of 4", n)
		}
		if len(pageData(t, page)) != 0 {
			t.Errorf("%d points: the script still gets charts to draw", n)
		}
		write(t, func(w io.Writer) error { return WriteMarkdown(w, rep) })
	}
}

func TestFlatSeriesDraw(t *testing.T) {
	rep := fixture()
	for i := range rep.Series.TimeS {
		rep.Series.Queued[i], rep.Series.Rejected[i], rep.Series.P99MS[i] = 0, 0, 0
	}
	page := write(t, func(w io.Writer) error { return WriteHTML(w, rep) })
	if n := len(pageData(t, page)); n != 4 {
		t.Errorf("want 4 charts with all-zero series, got %d", n)
	}
	if strings.Contains(page, "NaN") {
		t.Error("the chart data has NaN, which JSON cannot hold")
	}
}

func TestRaggedAndNaNSeriesDraw(t *testing.T) {
	rep := fixture()
	rep.Series.P99MS = rep.Series.P99MS[:5] // shorter than the time axis
	rep.Series.Queued[3] = math.NaN()
	page := write(t, func(w io.Writer) error { return WriteHTML(w, rep) })
	plots := pageData(t, page)
	p99 := seriesIn(t, plots["latency"], "p99")
	if len(p99) != 30 || p99[4] == nil || p99[5] != nil {
		t.Errorf("a short series is padded with gaps to the time axis: %d values", len(p99))
	}
	if q := seriesIn(t, plots["requests"], "queued (max)"); q[3] != nil || q[2] == nil {
		t.Error("NaN is not a gap")
	}
}
