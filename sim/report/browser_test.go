package report

import (
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/waiter-go/waiter/internal/browsertest"
	"github.com/waiter-go/waiter/sim"
)

// chartState is what the browser drew for one chart.
type chartState struct {
	ID string `json:"id"`
	// Series and WithData count the chart's series and those with at
	// least one value; Points counts the values.
	Series   int `json:"series"`
	WithData int `json:"withData"`
	Points   int `json:"points"`
	Width    int `json:"width"`
	// Inked counts opaque, coloured pixels in the plot area: series
	// strokes and points (the grid is grey, the bands translucent).
	Inked int `json:"inked"`
}

// chartStates reads back every chart the page's script drew.
const chartStates = `(window.waiterCharts || []).map(function (c) {
	var u = c.plot, withData = 0, points = 0;
	for (var i = 1; i < u.series.length; i++) {
		var n = u.data[i].filter(function (v) { return v != null; }).length;
		if (n > 0) withData++;
		points += n;
	}
	var b = u.bbox, img = u.ctx.getImageData(b.left, b.top, b.width, b.height).data, inked = 0;
	for (var k = 0; k < img.length; k += 4) {
		var hi = Math.max(img[k], img[k+1], img[k+2]), lo = Math.min(img[k], img[k+1], img[k+2]);
		if (img[k+3] > 200 && hi - lo > 60) inked++;
	}
	return {id: c.id, series: u.series.length - 1, withData: withData, points: points, width: u.width, inked: inked};
})`

// browserPages writes a run, a comparison and a sweep report from the
// fixture (every kind of mark: limits, assertion lines, panic, windows)
// and lists them with every committed report, which are real runs.
func browserPages(t *testing.T) []string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "fixture")
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	a, b := fixture(), fixture()
	a.MaxInstances = 60
	b.Policy = "knative"
	b.Series.Healthy = append([]float64(nil), b.Series.Healthy...)
	b.Series.Healthy[11] = 10
	values, sweepReps := sweepFixture()
	writers := map[string]func(io.Writer) error{
		"run.html":     func(w io.Writer) error { return WriteHTML(w, a) },
		"compare.html": func(w io.Writer) error { return WriteCompareHTML(w, []*sim.Report{a, b}) },
		"sweep.html":   func(w io.Writer) error { return WriteSweepHTML(w, "scale-up-factor", values, sweepReps) },
		"fidelity.html": func(w io.Writer) error {
			return WriteFidelityHTML(w, fidelityFixture(), []*sim.Report{a, b})
		},
	}
	var out []string
	for name, f := range writers {
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, []byte(write(t, f)), 0o644); err != nil {
			t.Fatal(err)
		}
		out = append(out, path)
	}
	committed, err := filepath.Glob(filepath.Join("..", "..", "reports", "*", "report.html"))
	if err != nil || len(committed) == 0 {
		t.Fatalf("no committed reports under reports/ (%v)", err)
	}
	fid, err := filepath.Glob(filepath.Join("..", "..", "reports", "*", "fidelity", "fidelity.html"))
	if err != nil {
		t.Fatal(err)
	}
	committed = append(committed, fid...)
	for _, c := range committed {
		abs, err := filepath.Abs(c)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, abs)
	}
	return out
}

// TestReportsInABrowser opens a run, a comparison and a sweep report, and
// every committed report, in headless Chromium: each loads with no console
// error and no exception, fetches nothing but itself, and draws every
// chart its data holds, with data and coloured ink in it. Set
// REPORT_SCREENSHOTS to a folder to keep a screenshot of each page.
func TestReportsInABrowser(t *testing.T) {
	paths := browserPages(t)
	br := browsertest.Start(t)
	shots := os.Getenv("REPORT_SCREENSHOTS")
	for _, path := range paths {
		name := filepath.Base(filepath.Dir(path)) + "/" + filepath.Base(path)
		t.Run(name, func(t *testing.T) {
			html, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			want := pageData(t, string(html))
			url := "file://" + path
			p := br.Open(t, url, nil)
			got := browsertest.Eval[[]chartState](t, p, chartStates)
			if len(got) != len(want) || len(got) == 0 {
				t.Errorf("drew %d charts, the data has %d", len(got), len(want))
			}
			for _, c := range got {
				spec := want[c.ID]
				need := 2 // points of a line
				if !spec.X.Time {
					need = 1
				}
				if c.Series != len(spec.Series) || c.WithData == 0 || c.Points < need || c.Width < 300 || c.Inked < 50 {
					t.Errorf("chart %s: %+v, want its %d series, data and ink", c.ID, c, len(spec.Series))
				}
			}
			reqs := p.Requests()
			if len(reqs) == 0 || reqs[0] != url {
				t.Errorf("requests %q: the page's own is not recorded", reqs)
			}
			for _, r := range reqs {
				if r != url {
					t.Errorf("the page fetched %s", r)
				}
			}
			if shots != "" {
				base := filepath.Join(shots, strings.TrimSuffix(strings.ReplaceAll(name, "/", "-"), ".html"))
				save(t, base+".png", p.Screenshot(t))
				for _, c := range got {
					save(t, base+"-"+c.ID+".png", p.ScreenshotElement(t, "figure:has(#plot-"+c.ID+")"))
				}
			}
			if probs := p.Problems(t); len(probs) > 0 {
				t.Errorf("the page reported:\n%s", strings.Join(probs, "\n"))
			}
		})
	}
}

// The time charts of a page move together: hovering one moves every
// crosshair, a drag across one zooms all of them to the same span and a
// double-click zooms them all out; a click on a legend entry hides its
// series.
func TestReportChartsZoomTogetherAndToggle(t *testing.T) {
	path := filepath.Join(t.TempDir(), "run.html")
	if err := os.WriteFile(path, []byte(write(t, func(w io.Writer) error { return WriteHTML(w, fixture()) })), 0o644); err != nil {
		t.Fatal(err)
	}
	p := browsertest.Start(t).Open(t, "file://"+path, nil)
	type box struct{ Left, Top, Width, Height float64 }
	over := browsertest.Eval[box](t, p, `(function () {
		var r = document.querySelector("#plot-rates .u-over").getBoundingClientRect();
		window.scrollTo(0, 0);
		return {left: r.left, top: r.top, width: r.width, height: r.height};
	})()`)
	if over.Width == 0 {
		t.Fatal("no plot area to drag across")
	}
	y := over.Top + over.Height/2
	x0, x1 := over.Left+over.Width*0.25, over.Left+over.Width*0.5

	// Hovering one chart moves every chart's crosshair to the same time.
	p.Do(t, chromedp.MouseEvent(chromedp.MouseMoved, x0, y))
	idx := browsertest.Eval[[]*int](t, p, `window.waiterCharts.map(function (c) { return c.plot.cursor.idx; })`)
	for i, v := range idx {
		if v == nil || *v != *idx[0] || *v < 5 || *v > 10 {
			t.Fatalf("hover at a quarter of the rates chart: chart %d's crosshair at %v, want every chart at point ~7 (%v)", i, v, idx)
		}
	}

	p.Do(t,
		chromedp.MouseEvent(chromedp.MouseMoved, x0, y),
		chromedp.MouseEvent(chromedp.MousePressed, x0, y, chromedp.ButtonLeft, chromedp.ClickCount(1)),
		chromedp.MouseEvent(chromedp.MouseMoved, (x0+x1)/2, y, chromedp.ButtonLeft),
		chromedp.MouseEvent(chromedp.MouseMoved, x1, y, chromedp.ButtonLeft),
		chromedp.MouseEvent(chromedp.MouseReleased, x1, y, chromedp.ButtonLeft, chromedp.ClickCount(1)),
	)
	scales := browsertest.Eval[[]struct {
		ID  string  `json:"id"`
		Min float64 `json:"min"`
		Max float64 `json:"max"`
	}](t, p, `window.waiterCharts.map(function (c) { return {id: c.id, min: c.plot.scales.x.min, max: c.plot.scales.x.max}; })`)
	// The fixture runs 0 to 290 s; a quarter to a half of the plot is
	// roughly 72 s to 145 s.
	for _, s := range scales {
		if s.Min < 60 || s.Min > 85 || s.Max < 130 || s.Max > 160 || s.Min != scales[0].Min || s.Max != scales[0].Max {
			t.Errorf("after the drag, chart %s shows %v to %v; want every chart on the dragged span", s.ID, s.Min, s.Max)
		}
	}
	// A double-click zooms every chart back out to the whole run.
	p.Do(t, chromedp.MouseClickXY(x1, y, chromedp.ClickCount(2)))
	full := browsertest.Eval[[][2]float64](t, p, `window.waiterCharts.map(function (c) { return [c.plot.scales.x.min, c.plot.scales.x.max]; })`)
	for i, r := range full {
		if r[0] != 0 || r[1] != 290 {
			t.Errorf("after a double-click, chart %d shows %v; want the whole run, 0 to 290 s", i, r)
		}
	}

	p.Do(t, chromedp.Click(chromedp.CSS("#plot-rates .u-legend .u-series:nth-child(2) th")))
	shown := browsertest.Eval[[]bool](t, p, `window.waiterCharts[0].plot.series.map(function (s) { return s.show; })`)
	if len(shown) != 4 || shown[1] || !shown[2] || !shown[3] {
		t.Errorf("after a click on arrivals in the legend, shown = %v; want arrivals hidden, the rest shown", shown)
	}
	if probs := p.Problems(t); len(probs) > 0 {
		t.Errorf("the page reported:\n%s", strings.Join(probs, "\n"))
	}
}

func save(t *testing.T, path string, png []byte) {
	t.Helper()
	if err := os.WriteFile(path, png, 0o644); err != nil {
		t.Fatal(err)
	}
}
