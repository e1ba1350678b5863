package waiterhttp

import (
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/waiter-go/waiter/internal/browsertest"
)

// The page in a real browser, over the fake router: it loads without a
// console error, draws both charts, and shows names and messages that
// carry markup as text (the router passes on what services and token
// owners wrote).
func TestDashboardInABrowser(t *testing.T) {
	e := newTestEdge(t)
	// A real connection: the edge sets socket deadlines from its clock,
	// so the mock must tell the kernel's time.
	e.clock.Set(time.Now())
	const evil = `<img src=x onerror="document.title='pwned'">`
	d := describe(t, "x-waiter-name", "alpha")
	d.Name = evil // as if a description came from an older build that allowed it
	snap := e.running(t, d)
	snap.DeploymentError = `<script>document.title='pwned'</script>`
	e.router.put(snap)
	if _, _, err := e.store.PutToken(`<b>tok</b>`, map[string]any{"owner": `<i>bob</i>`}, "", testUser, e.clock.Now()); err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(e.srv) // 127.0.0.1, a free port
	defer srv.Close()

	page := browsertest.Start(t).Open(t, srv.URL+"/dashboard", nil)
	if page.Status() != 200 {
		t.Fatalf("/dashboard: %d", page.Status())
	}
	row := `document.querySelector('#services tbody tr[data-service-id="` + d.ID + `"]')`
	page.WaitFor(t, "the service's row", row, 20*time.Second)
	page.WaitFor(t, "the service's detail chart", `document.querySelector('#service-chart canvas') && !document.getElementById('detail').hidden`, 20*time.Second)

	if got := browsertest.Eval[string](t, page, row+`.textContent`); !strings.Contains(got, evil) || !strings.Contains(got, "Failing") {
		t.Errorf("row text %q, want the name as text and the status", got)
	}
	if n := browsertest.Eval[int](t, page, `document.querySelectorAll('img, main script, b, i').length`); n != 0 {
		t.Errorf("%d elements came from router data rendered as HTML", n)
	}
	if title := browsertest.Eval[string](t, page, `document.title`); title != "Waiter dashboard" {
		t.Errorf("title %q: a script from router data ran", title)
	}
	for _, chart := range []string{"totals-chart", "service-chart"} {
		n, _ := strconv.Atoi(browsertest.Eval[string](t, page, `document.getElementById('`+chart+`').dataset.points || "0"`))
		if n < 1 {
			t.Errorf("%s has %d points", chart, n)
		}
	}
	if got := browsertest.Eval[string](t, page, `document.getElementById('tokens').tBodies[0].textContent`); !strings.Contains(got, "<b>tok</b>") || !strings.Contains(got, "<i>bob</i>") {
		t.Errorf("tokens table %q", got)
	}
	if p := page.Problems(t); len(p) > 0 {
		t.Errorf("the page reported problems:\n%s", strings.Join(p, "\n"))
	}
}
