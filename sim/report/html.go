package report

import (
	"embed"
	"fmt"
	"html/template"
	"io"
	"strings"

	"github.com/waiter-go/waiter/sim"
)

//go:embed assets/style.css assets/page.html.tmpl
var assets embed.FS

// pages holds the page templates; parsed once, they are fixed at build
// time, so a parse error is a programming error caught by every test.
var pages = template.Must(template.ParseFS(assets, "assets/page.html.tmpl"))

// css is inlined in every page so one file is the whole report.
var css = func() template.CSS {
	b, err := assets.ReadFile("assets/style.css")
	if err != nil {
		panic(err) // embedded above
	}
	return template.CSS(b)
}()

// table is a table for the page templates. RowClass, when set, gives each
// row's CSS class.
type table struct {
	Header   []string
	Rows     [][]string
	RowClass []string
}

// htmlFigure is a figure whose SVG the template inserts unescaped: it is
// generated here, with every label escaped (see esc).
type htmlFigure struct {
	Title   string
	SVG     template.HTML
	Caption string
}

// Class returns row i's CSS class, if any.
func (t table) Class(i int) string {
	if i < len(t.RowClass) {
		return t.RowClass[i]
	}
	return ""
}

func htmlFigures(figs []figure) []htmlFigure {
	out := make([]htmlFigure, len(figs))
	for i, f := range figs {
		out[i] = htmlFigure{Title: f.Title, SVG: template.HTML(f.SVG), Caption: f.Caption}
	}
	return out
}

// page is what every page template reads.
type page struct {
	Title       string
	Description string
	CSS         template.CSS
	Duration    string
	Figures     []htmlFigure
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
	Checks     *table
}

// WriteHTML writes one run's report as a single self-contained HTML page:
// inline CSS and inline SVG charts (load and capacity, latency, queue),
// the tables of the Markdown report, no scripts and no external assets.
func WriteHTML(w io.Writer, rep *sim.Report) error {
	figs, err := runFigures(rep)
	if err != nil {
		return err
	}
	p := reportPage{
		page: page{Title: "Scenario " + rep.Scenario, Description: strings.TrimSpace(rep.Description), CSS: css,
			Duration: fmtClock(rep.DurationS), Figures: htmlFigures(figs)},
		Rep:        rep,
		Assertions: fmtAssertions(rep),
		Totals:     table{Header: []string{"figure", "value"}, Rows: metricRows(totalsMetrics, rep)},
		Latency:    table{Header: []string{"percentile", "latency"}, Rows: metricRows(latencyMetrics, rep)},
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
