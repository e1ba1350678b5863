package acceptance

import (
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/waiter-go/waiter/internal/browsertest"
)

// /dashboard in a real headless Chromium against the shared `waiter
// serve`: refused without credentials; with the suite's bearer token the
// page loads, and a service started while it is open appears within a
// few polls as Running, with its healthy instance and a chart with data,
// and nothing is reported in the browser's console.
func TestDashboardShowsAServiceJustStarted(t *testing.T) {
	t.Parallel()
	rt := sharedRouter(t)
	b := browsertest.Start(t)
	if s := b.Open(t, rt.url+"/dashboard", nil).Status(); s != http.StatusUnauthorized {
		t.Errorf("/dashboard without credentials: %d, want 401", s)
	}

	page := b.Open(t, rt.url+"/dashboard", map[string]string{"Authorization": bearer})
	if page.Status() != http.StatusOK {
		t.Fatalf("/dashboard: %d", page.Status())
	}
	page.WaitFor(t, "the first poll", `document.body.dataset.polls >= 1`, 30*time.Second)

	name := randName(t)
	extra := map[string]string{"x-waiter-name": name}
	rt.cleanupService(t, rt.serviceIDOf(t, kitchenHeaders(extra)))
	resp := rt.kitchen(extra)
	expectStatus(t, resp, http.StatusOK)
	id := resp.serviceID()

	row := `#services tbody tr[data-service-id="` + id + `"]`
	page.WaitFor(t, "the new service's row", `document.querySelector('`+row+`')`, 30*time.Second)
	page.Click(t, row, 30*time.Second)
	page.WaitFor(t, "its detail", `!document.getElementById('detail').hidden && document.getElementById('detail-id').textContent === '`+id+`'`, 30*time.Second)
	page.WaitFor(t, "its healthy instance", `document.querySelector('#instances tbody tr[data-instance-id] .badge.Running')`, 30*time.Second)

	text := browsertest.Eval[string](t, page, `document.querySelector('`+row+`').textContent`)
	if !strings.Contains(text, name) || !strings.Contains(text, "Running") {
		t.Errorf("row %q, want the name %s and Running", text, name)
	}
	if got := browsertest.Eval[string](t, page, `document.getElementById('detail-status').textContent`); got != "Running" {
		t.Errorf("detail status %q", got)
	}
	for _, chart := range []string{"totals-chart", "service-chart"} {
		n, _ := strconv.Atoi(browsertest.Eval[string](t, page, `document.getElementById('`+chart+`').dataset.points || "0"`))
		if n < 1 || browsertest.Eval[int](t, page, `document.querySelectorAll('#`+chart+` canvas').length`) != 1 {
			t.Errorf("%s: %d points", chart, n)
		}
	}
	if state := browsertest.Eval[string](t, page, `document.getElementById('live').dataset.state`); state != "ok" {
		t.Errorf("live indicator %q, want ok", state)
	}
	if p := page.Problems(t); len(p) > 0 {
		t.Errorf("the page reported problems:\n%s", strings.Join(p, "\n"))
	}
}
