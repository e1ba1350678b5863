package waiterhttp

import (
	"encoding/json"
	"github.com/waiter-go/waiter"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/waiter-go/waiter/engine"
)

// The page and every file it references are served, with their types
// and the content security policy; an unchanged file revalidates to 304.
func TestDashboardPageAndAssets(t *testing.T) {
	e := newTestEdge(t)
	rec := e.do(t, req{path: "/dashboard"})
	wantStatus(t, rec, http.StatusOK)
	if ct := rec.Header().Get("Content-Type"); !strings.HasPrefix(ct, "text/html") {
		t.Errorf("page Content-Type %q", ct)
	}
	if csp := rec.Header().Get("Content-Security-Policy"); !strings.Contains(csp, "script-src 'self'") || strings.Contains(csp, "unsafe-inline") {
		t.Errorf("page CSP %q", csp)
	}
	page := rec.Body.String()
	refs := regexp.MustCompile(`(?:src|href)="(dashboard/assets/[^"]+)"`).FindAllStringSubmatch(page, -1)
	if len(refs) != 4 {
		t.Fatalf("page references %d assets, want uPlot's script and style and the dashboard's: %v", len(refs), refs)
	}
	types := map[string]string{".js": "text/javascript", ".css": "text/css"}
	for _, ref := range refs {
		path := "/" + ref[1]
		rec := e.do(t, req{path: path})
		wantStatus(t, rec, http.StatusOK)
		ext := path[strings.LastIndex(path, "."):]
		if ct := rec.Header().Get("Content-Type"); !strings.HasPrefix(ct, types[ext]) {
			t.Errorf("%s: Content-Type %q, want %s", path, ct, types[ext])
		}
		if rec.Body.Len() == 0 || rec.Header().Get("X-Content-Type-Options") != "nosniff" {
			t.Errorf("%s: %d bytes, nosniff %q", path, rec.Body.Len(), rec.Header().Get("X-Content-Type-Options"))
		}
		etag := rec.Header().Get("ETag")
		again := e.do(t, req{path: path, headers: map[string]string{"If-None-Match": etag}})
		if etag == "" || again.Code != http.StatusNotModified {
			t.Errorf("%s: ETag %q, revalidation %d, want 304", path, etag, again.Code)
		}
	}
	if !strings.Contains(page, `rel="icon" href="data:,"`) {
		t.Error("the page lets the browser ask for /favicon.ico (a 404 in the console)")
	}
}

// Only the page's files are served from the assets path.
func TestDashboardAssetsRefuseOthers(t *testing.T) {
	e := newTestEdge(t)
	for _, path := range []string{"/dashboard/assets/nope.js", "/dashboard/assets/index.html",
		"/dashboard/assets/../server.go", "/dashboard/assets/%2e%2e/dashboard.go", "/dashboard/assets/"} {
		if rec := e.do(t, req{path: path}); rec.Code != http.StatusNotFound {
			t.Errorf("%s: %d, want 404", path, rec.Code)
		}
	}
	wantStatus(t, e.do(t, req{method: http.MethodPost, path: "/dashboard/data", body: "{}"}), http.StatusMethodNotAllowed)
	wantStatus(t, e.do(t, req{method: http.MethodDelete, path: "/dashboard"}), http.StatusMethodNotAllowed)
}

// The dashboard is behind the API's authentication: page, files and data.
func TestDashboardNeedsAuthentication(t *testing.T) {
	e := newAuthEdge(t, &schemeAuth{scheme: "Negotiate"}, nil)
	for _, path := range []string{"/dashboard", "/dashboard/data", "/dashboard/assets/dashboard.js"} {
		want401(t, e.do(t, req{path: path}), "no Negotiate credential", "Negotiate")
		wantStatus(t, e.do(t, req{path: path, headers: negotiate(testUser)}), http.StatusOK)
	}
}

// historyRouter is a fakeRouter that also keeps history.
type historyRouter struct {
	*fakeRouter
	service map[string][]waiter.HistorySample
	total   []waiter.HistorySample
	errors  []waiter.DeploymentErrorRecord
}

func (h *historyRouter) ServiceHistory(id string) []waiter.HistorySample  { return h.service[id] }
func (h *historyRouter) TotalHistory() []waiter.HistorySample             { return h.total }
func (h *historyRouter) DeploymentErrors() []waiter.DeploymentErrorRecord { return h.errors }

// dashboardDataOf fetches and decodes /dashboard/data.
func dashboardDataOf(t *testing.T, e *testEdge, query string) dashboardData {
	t.Helper()
	rec := e.do(t, req{path: "/dashboard/data" + query})
	wantStatus(t, rec, http.StatusOK)
	if cc := rec.Header().Get("Cache-Control"); cc != "no-store" {
		t.Errorf("Cache-Control %q", cc)
	}
	var d dashboardData
	if err := json.Unmarshal(rec.Body.Bytes(), &d); err != nil {
		t.Fatalf("/dashboard/data is not the dashboard's JSON: %v\n%s", err, rec.Body.String())
	}
	return d
}

// /dashboard/data: services with problems first, totals, the selected
// service's history (the router's samples plus the present) and
// instances, deployment errors, tokens with the services they reached,
// and this router.
func TestDashboardData(t *testing.T) {
	e := newTestEdge(t)
	hr := &historyRouter{fakeRouter: e.router, service: map[string][]waiter.HistorySample{}}
	srv, err := New(e.srv.cfg, Deps{Router: hr, Store: e.store, Authn: headerUser{}, Entitled: NewSimple(testUser), Clock: e.clock})
	if err != nil {
		t.Fatal(err)
	}
	e.srv = srv

	good := describe(t, "x-waiter-name", "alpha", "x-waiter-env-SECRET", "hunter2")
	bad := describe(t, "x-waiter-name", "zulu")
	running := e.running(t, good)
	running.Counters = waiter.ServiceCounters{ColdStarts: 2, Launched: 1}
	running.Waiting, running.InFlight = 3, 1
	e.router.put(running)
	e.router.put(waiter.ServiceSnapshot{ID: bad.ID, Description: bad, Requested: 1, DeploymentError: engine.DeployBadStartupCommand,
		Failed: []waiter.InstanceSnapshot{{ObservedInstance: engine.ObservedInstance{ID: bad.ID + ".f", ExitCode: 127, HasExitCode: true,
			Message: "command not found"}}}, Counters: waiter.ServiceCounters{Launched: 1, Failed: 1}})
	if _, _, err := e.store.PutToken("web", map[string]any{"owner": testUser, "cmd": "kitchen"}, "", testUser, e.clock.Now()); err != nil {
		t.Fatal(err)
	}
	tok, _ := e.store.GetToken("web", false)
	e.srv.services.addSources(good.ID, []waiter.Token{tok})
	past := e.clock.Now().Add(-time.Minute)
	hr.service[good.ID] = []waiter.HistorySample{{At: past, Requested: 1, Desired: 2, Healthy: 0, Outstanding: 5, Waiting: 5}}
	hr.total = []waiter.HistorySample{{At: past, Requested: 2}}
	hr.errors = []waiter.DeploymentErrorRecord{{ServiceID: bad.ID, Name: "zulu", Message: engine.DeployBadStartupCommand, Since: past}}

	d := dashboardDataOf(t, e, "")
	if len(d.Services) != 2 || d.Services[0].ID != bad.ID || d.Services[0].Status != statusFailing || d.Services[1].Name != "alpha" {
		t.Fatalf("services %+v, want the failing zulu before alpha", d.Services)
	}
	if d.Service != nil {
		t.Errorf("a detail without ?service: %+v", d.Service)
	}
	a := d.Services[1]
	if a.Healthy != 1 || a.Outstanding != 4 || a.Waiting != 3 || a.Counters.ColdStarts != 2 || len(a.Tokens) != 1 || a.Tokens[0] != "web" {
		t.Errorf("alpha %+v", a)
	}
	if tt := d.Totals; tt.Services != 2 || tt.Running != 1 || tt.Failing != 1 || tt.Healthy != 1 || tt.Requested != 2 || tt.Outstanding != 4 {
		t.Errorf("totals %+v", tt)
	}
	if len(d.History.Time) != 2 || d.History.Requested[0] != 2 || d.History.Time[1] != float64(e.clock.Now().Unix()) {
		t.Errorf("total history %+v, want the router's sample then the present", d.History)
	}
	if len(d.DeploymentErrors) != 1 || d.DeploymentErrors[0].Name != "zulu" || d.DeploymentErrors[0].Until != "" {
		t.Errorf("deployment errors %+v", d.DeploymentErrors)
	}
	if len(d.Tokens) != 1 || d.Tokens[0].Name != "web" || d.Tokens[0].Owner != testUser || len(d.Tokens[0].Services) != 1 ||
		d.Tokens[0].Services[0] != good.ID || d.Tokens[0].UpdatedAt == "" {
		t.Errorf("tokens %+v", d.Tokens)
	}
	if len(d.Routers) != 1 || !d.Routers[0].Self || d.Routers[0].ID != "r1" || d.Router.Address != "127.0.0.1:9091" {
		t.Errorf("routers %+v", d.Routers)
	}

	d = dashboardDataOf(t, e, "?service="+good.ID)
	s := d.Service
	if s == nil || s.ID != good.ID {
		t.Fatalf("no detail of %s: %+v", good.ID, d.Service)
	}
	if h := s.History; len(h.Time) != 2 || h.Desired[0] != 2 || h.Outstanding[1] != 4 || h.Healthy[1] != 1 {
		t.Errorf("service history %+v, want the sample then the present", h)
	}
	if len(s.Active) != 1 || !s.Active[0].Healthy || s.Parameters["cmd"] != "kitchen -p $PORT0" {
		t.Errorf("detail %+v", s)
	}
	if _, leaked := s.Parameters["env"]; leaked {
		t.Errorf("the detail shows env: %v", s.Parameters)
	}
	d = dashboardDataOf(t, e, "?service="+bad.ID)
	if f := d.Service.Failed; len(f) != 1 || f[0].ExitCode == nil || *f[0].ExitCode != 127 || f[0].Message != "command not found" {
		t.Errorf("failed instances %+v", f)
	}
	if d := dashboardDataOf(t, e, "?service=no-such-service"); d.Service != nil {
		t.Errorf("a detail of an unknown service: %+v", d.Service)
	}
}

// A router that keeps no history still gets a dashboard: the present.
func TestDashboardDataWithoutHistory(t *testing.T) {
	e := newTestEdge(t)
	d := describe(t, "x-waiter-name", "alpha")
	e.running(t, d)
	data := dashboardDataOf(t, e, "?service="+d.ID)
	if len(data.History.Time) != 1 || data.History.Healthy[0] != 1 || len(data.Service.History.Time) != 1 {
		t.Errorf("history %+v / %+v, want only the present", data.History, data.Service.History)
	}
	if data.DeploymentErrors == nil || data.Tokens == nil {
		t.Error("empty lists must be [] for the page, not null")
	}
}
