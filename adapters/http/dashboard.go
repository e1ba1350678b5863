package waiterhttp

import (
	"bytes"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"encoding/json"
	"github.com/waiter-go/waiter/internal/uplot"
	"io/fs"
	"mime"
	"net/http"
	"path"
	"strings"
	"time"

	"github.com/julienschmidt/httprouter"
)

// The dashboard is plain HTML, JavaScript and CSS with uPlot (npm uplot
// 1.6.32, MIT, internal/uplot, shared with the reports) for its charts: no build step,
// and the files ship inside the binary. The page polls /dashboard/data.
//
//go:embed dashboard
var dashboardFiles embed.FS

// dashboardAsset is one embedded file with what its answer needs.
type dashboardAsset struct {
	body        []byte
	contentType string
	etag        string
}

// dashboardAssets are the embedded files by their path under dashboard/,
// read once: they never change while the binary runs.
var dashboardAssets = loadDashboardAssets()

func loadDashboardAssets() map[string]dashboardAsset {
	out := map[string]dashboardAsset{}
	err := fs.WalkDir(dashboardFiles, "dashboard", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := dashboardFiles.ReadFile(p)
		if err != nil {
			return err
		}
		ct := mime.TypeByExtension(path.Ext(p))
		if ct == "" {
			ct = "text/plain; charset=utf-8"
		}
		sum := sha256.Sum256(b)
		out[strings.TrimPrefix(p, "dashboard/")] = dashboardAsset{body: b, contentType: ct,
			etag: `"` + hex.EncodeToString(sum[:8]) + `"`}
		return nil
	})
	if err != nil {
		panic("waiterhttp: reading the embedded dashboard: " + err.Error()) // a broken build, not input
	}
	for name, body := range map[string]string{"uplot/uPlot.iife.min.js": uplot.JS, "uplot/uPlot.min.css": uplot.CSS} {
		sum := sha256.Sum256([]byte(body))
		out[name] = dashboardAsset{body: []byte(body), contentType: mime.TypeByExtension(path.Ext(name)),
			etag: `"` + hex.EncodeToString(sum[:8]) + `"`}
	}
	return out
}

// dashboardCSP allows the page only its own scripts, styles and data:
// names and messages from services and tokens are rendered as text, and
// even a bug that rendered one as HTML could not run a script.
const dashboardCSP = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; " +
	"connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"

// handleDashboard is GET /dashboard: the page.
func (s *Server) handleDashboard(w http.ResponseWriter, r *http.Request, _ httprouter.Params) {
	serveDashboardAsset(w, r, "index.html")
}

// handleDashboardAsset is GET /dashboard/assets/{file}: the page's
// scripts, styles and uPlot.
func (s *Server) handleDashboardAsset(w http.ResponseWriter, r *http.Request, ps httprouter.Params) {
	name := strings.TrimPrefix(ps.ByName("file"), "/")
	if _, ok := dashboardAssets[name]; !ok || name == "index.html" {
		s.writeError(w, r, notFound("No dashboard asset "+name))
		return
	}
	serveDashboardAsset(w, r, name)
}

func serveDashboardAsset(w http.ResponseWriter, r *http.Request, name string) {
	a := dashboardAssets[name]
	h := w.Header()
	h.Set("Content-Type", a.contentType)
	h.Set("Content-Security-Policy", dashboardCSP)
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "no-referrer")
	// Revalidate every time: a new binary serves new files under the
	// same names, and the ETag makes an unchanged one a 304.
	h.Set("Cache-Control", "no-cache")
	h.Set("ETag", a.etag)
	http.ServeContent(w, r, name, time.Time{}, bytes.NewReader(a.body))
}

// handleDashboardData is GET /dashboard/data[?service=id]: everything the
// page shows, as compact JSON, with the history and instances of the
// service named (when the router runs it).
func (s *Server) handleDashboardData(w http.ResponseWriter, r *http.Request, _ httprouter.Params) {
	p, herr := s.caller(r)
	if herr != nil {
		s.writeError(w, r, herr)
		return
	}
	view, err := s.dashboardView(p.User, r.Host, r.URL.Query().Get("service"))
	if err != nil {
		s.writeError(w, r, toError(err))
		return
	}
	b, err := json.Marshal(view)
	if err != nil {
		s.writeError(w, r, &Error{Status: http.StatusInternalServerError, Message: "encoding the dashboard: " + err.Error()})
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	_, _ = w.Write(b)
}
