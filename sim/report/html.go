package report

import (
	"embed"
	"encoding/json"
	"fmt"
	"github.com/waiter-go/waiter/internal/uplot"
	"html/template"
	"io"
	"strings"

	"github.com/waiter-go/waiter/sim"
)

// The page template, its style, the chart script and uPlot (npm uplot
// 1.6.32, MIT licence, see internal/uplot) are embedded in the binary and
// inlined in every page, so one file is the whole report: it opens from
// disk, from an e-mail or from a CI artifact with nothing else to fetch.
//
//go:embed assets/style.css assets/page.html.tmpl assets/charts.js
var assets embed.FS

// pages holds the page templates; parsed once, they are fixed at build
// time, so a parse error is a programming error caught by every test.
var pages = template.Must(template.New("page.html.tmpl").Funcs(template.FuncMap{"deltaClass": deltaClass}).
	ParseFS(assets, "assets/page.html.tmpl"))

func asset(name string) string {
	b, err := assets.ReadFile(name)
	if err != nil {
		panic(err) // embedded above
	}
	return string(b)
}

// css is uPlot's style then the report's own.
var css = template.CSS(uplot.CSS + "\n" + asset("assets/style.css"))

// uplotJS and chartsJS are the scripts every page inlines. Neither holds
// "</script", so inlining cannot end the element early (a test checks).
var (
	uplotJS  = template.JS(uplot.JS)
	chartsJS = template.JS(asset("assets/charts.js"))
)

// table is a table for the page templates. RowClass, when set, gives each
// row's CSS class.
type table struct {
	// TableClass is the table's CSS class, if any.
	TableClass string
	Header     []string
	Rows       [][]string
	RowClass   []string
}

// Class returns row i's CSS class, if any.
func (t table) Class(i int) string {
	if i < len(t.RowClass) {
		return t.RowClass[i]
	}
	return ""
}

// figure is one chart as the template shows it: a heading, the element
// charts.js draws into (or a note when there is too little to draw), and
// how to read it.
type figure struct {
	ID      string
	Title   string
	Caption string
	Notes   []string
	Drawn   bool
}

// page is what every page template reads.
type page struct {
	Title       string
	Description string
	CSS         template.CSS
	Duration    string
	Figures     []figure
	// Events are the scenario's faults and load changes.
	Events *table
	UPlot  template.JS
	Charts template.JS
	// Data is the JSON of the plots charts.js draws.
	Data template.JS
}

// newPage lays out a page's charts: the figures the template shows and
// the data the script draws.
func newPage(title, description string, durationS float64, plots []plot, windows []sim.Window) (page, error) {
	p := page{Title: title, Description: strings.TrimSpace(description), CSS: css, Duration: fmtClock(durationS),
		UPlot: uplotJS, Charts: chartsJS}
	var drawn []plot
	for _, pl := range plots {
		ok := pl.drawable()
		if ok {
			drawn = append(drawn, pl)
		}
		p.Figures = append(p.Figures, figure{ID: pl.ID, Title: pl.Title, Caption: pl.Caption, Notes: pl.Notes, Drawn: ok})
	}
	// encoding/json escapes <, > and & in strings, so labels cannot end
	// the script element or inject markup.
	b, err := json.Marshal(struct {
		Plots []plot `json:"plots"`
	}{drawn})
	if err != nil {
		return page{}, fmt.Errorf("report: encode chart data: %w", err)
	}
	p.Data = template.JS(b)
	if len(windows) > 0 {
		t := &table{TableClass: "events", Header: []string{"from", "to", "what"}}
		for _, w := range windows {
			what := w.Label
			if w.Service != "" {
				what += " (" + w.Service + ")"
			}
			to := fmtClock(w.EndS)
			if w.EndS == w.StartS {
				to = "-"
			}
			t.Rows = append(t.Rows, []string{fmtClock(w.StartS), to, what})
		}
		p.Events = t
	}
	return p, nil
}

// drawable reports whether p has enough points to draw: a line needs two,
// a scatter one.
func (p plot) drawable() bool {
	need := 1
	if p.X.Time {
		need = 2
	}
	if len(p.X.Values) < need {
		return false
	}
	for _, s := range p.Series {
		if hasData(s.Values) {
			return true
		}
	}
	return false
}

// reportPage is the data of report.html.
type reportPage struct {
	page
	Rep        *sim.Report
	Assertions string
	Totals     table
	Latency    table
	Services   *table
	Omitted    int
	// Routers and ClusterNote: a cluster's routers (nil for one router).
	Routers     *table
	ClusterNote string
	Checks      *table
}

// WriteHTML writes one run's report as a single self-contained HTML page:
// interactive charts (request rates, instances, requests outstanding and
// queued, latency, and each service's instances in runs of a few
// services) with the scenario's faults and load changes marked, then the
// tables of the Markdown report. Everything is inline; nothing is fetched.
func WriteHTML(w io.Writer, rep *sim.Report) error {
	pg, err := newPage("Scenario "+rep.Scenario, rep.Description, rep.DurationS, runPlots(rep), rep.Windows)
	if err != nil {
		return err
	}
	p := reportPage{
		page:       pg,
		Rep:        rep,
		Assertions: fmtAssertions(rep),
		Totals:     table{Header: []string{"figure", "value"}, Rows: metricRows(totalsMetrics, rep)},
		Latency:    table{Header: []string{"percentile", "latency"}, Rows: metricRows(latencyMetrics, rep)},
	}
	if t := routersTable(rep); t != nil {
		p.Routers, p.ClusterNote = t, clusterNote(rep)
	}
	if len(rep.Services) > 0 {
		top, omitted := topServices(rep, maxServices)
		t := &table{Header: serviceColumns}
		for _, s := range top {
			t.Rows = append(t.Rows, serviceRow(s))
		}
		p.Services, p.Omitted = t, omitted
	}
	if len(rep.Assertions) > 0 {
		t := &table{Header: assertionColumns}
		for _, a := range rep.Assertions {
			t.Rows = append(t.Rows, assertionRow(a))
		}
		p.Checks = t
	}
	return renderPage(w, "report", p)
}

// renderPage runs the named page template.
func renderPage(w io.Writer, name string, data any) error {
	if err := pages.ExecuteTemplate(w, name, data); err != nil {
		return fmt.Errorf("report: write HTML %s: %w", name, err)
	}
	return nil
}
