package report

import (
	"encoding/json"
	"strings"
	"testing"
)

// pagePlot is a plot as a page's script reads it, with missing values
// kept apart from zeros.
type pagePlot struct {
	ID    string `json:"id"`
	Title string `json:"title"`
	X     struct {
		Time   bool       `json:"time"`
		Label  string     `json:"label"`
		Values []*float64 `json:"values"`
	} `json:"x"`
	Y struct {
		Label string `json:"label"`
		Unit  string `json:"unit"`
		Log   bool   `json:"log"`
	} `json:"y"`
	Series []struct {
		Label    string     `json:"label"`
		Color    string     `json:"color"`
		Width    float64    `json:"width"`
		Dash     []float64  `json:"dash"`
		Points   bool       `json:"points"`
		Hollow   bool       `json:"hollow"`
		Line     bool       `json:"line"`
		SpanGaps bool       `json:"span_gaps"`
		Values   []*float64 `json:"values"`
	} `json:"series"`
	Refs        []ref    `json:"refs"`
	Bands       []band   `json:"bands"`
	PointLabels []string `json:"point_labels"`
}

// pageData returns the plots a page hands its script, by id.
func pageData(t *testing.T, page string) map[string]pagePlot {
	t.Helper()
	const start, end = "var waiterReport = ", ";\n</script>"
	i := strings.Index(page, start)
	if i < 0 {
		t.Fatal("the page has no chart data")
	}
	rest := page[i+len(start):]
	j := strings.Index(rest, end)
	if j < 0 {
		t.Fatal("the chart data does not end")
	}
	var d struct {
		Plots []pagePlot `json:"plots"`
	}
	if err := json.Unmarshal([]byte(rest[:j]), &d); err != nil {
		t.Fatalf("chart data: %v", err)
	}
	out := map[string]pagePlot{}
	for _, p := range d.Plots {
		if _, dup := out[p.ID]; dup {
			t.Errorf("two charts with id %q", p.ID)
		}
		out[p.ID] = p
	}
	return out
}

// seriesIn returns the series of p by label.
func seriesIn(t *testing.T, p pagePlot, label string) []*float64 {
	t.Helper()
	for _, s := range p.Series {
		if s.Label == label {
			return s.Values
		}
	}
	t.Fatalf("chart %s has no series %q", p.ID, label)
	return nil
}
