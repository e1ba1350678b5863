package waiterhttp

import (
	"encoding/json"
	"fmt"
	"net/http"
	"sort"
	"strings"
	"time"
)

// Content types an error can be rendered in.
const (
	ctText = "text/plain"
	ctJSON = "application/json"
	ctHTML = "text/html"
)

// errorContentType picks the rendering like Waiter's request->content-type:
// the Accept header decides (JSON, then HTML, then plain text), else a
// JSON request body gets a JSON error, else plain text.
func errorContentType(r *http.Request) string {
	accept := strings.ToLower(r.Header.Get("Accept"))
	switch {
	case strings.Contains(accept, ctJSON):
		return ctJSON
	case strings.Contains(accept, ctHTML):
		return ctHTML
	case strings.Contains(accept, ctText):
		return ctText
	}
	if ct := strings.ToLower(r.Header.Get("Content-Type")); strings.HasPrefix(ct, ctJSON) {
		return ctJSON
	}
	return ctText
}

// errorFields are the facts every rendering shows.
type errorFields struct {
	Status    int
	Message   string
	CID       string
	ServiceID string
	RouterID  string
	Host      string
	URI       string
	Query     string
	Method    string
	Timestamp time.Time
	Time      string // Timestamp as the pages show it (RFC 3339, nanoseconds)
	Details   map[string]any
}

func (s *Server) errorFields(r *http.Request, e *Error) errorFields {
	now := s.clock.Now().UTC()
	return errorFields{
		Status: e.Status, Message: e.Message, CID: info(r).cid, ServiceID: e.ServiceID,
		RouterID: s.cfg.RouterID, Host: r.Host, URI: r.URL.Path, Query: r.URL.RawQuery,
		Method: r.Method, Timestamp: now, Time: now.Format(time.RFC3339Nano), Details: e.Details,
	}
}

// writeError answers r with e in the negotiated content type.
func (s *Server) writeError(w http.ResponseWriter, r *http.Request, e *Error) {
	if isGRPC(r) {
		if e.Status >= 500 && e.Cause != nil {
			s.log.Warn("request failed", "cid", info(r).cid, "status", e.Status, "error", e.Cause)
		}
		s.writeGRPCError(w, r, e)
		return
	}
	f := s.errorFields(r, e)
	ct := errorContentType(r)
	// A service's repeated failure reuses its rendered page and logs
	// once per window (errcache.go).
	body, suppressed, repeat := s.errPages.render(f, ct)
	if e.Status >= 500 && e.Cause != nil && !repeat {
		attrs := []any{"cid", f.CID, "status", e.Status, "error", e.Cause}
		if f.ServiceID != "" {
			attrs = append(attrs, "service-id", f.ServiceID)
		}
		if suppressed > 0 {
			attrs = append(attrs, "suppressed-repeats", suppressed)
		}
		s.log.Warn("request failed", attrs...)
	}
	h := w.Header()
	h.Set("Content-Type", ct+"; charset=utf-8")
	h.Set("Content-Length", fmt.Sprint(len(body)))
	h.Set("Server", s.serverHeader())
	h.Del("Etag")
	for _, c := range e.Challenges {
		h.Add("WWW-Authenticate", c)
	}
	w.WriteHeader(e.Status)
	if r.Method != http.MethodHead {
		_, _ = w.Write(body)
	}
}

func renderJSONError(f errorFields) []byte {
	m := map[string]any{
		"message": f.Message, "status": f.Status, "cid": f.CID, "host": f.Host,
		"uri": f.URI, "request-method": strings.ToLower(f.Method),
		"timestamp": f.Time, "router-id": f.RouterID,
	}
	if f.ServiceID != "" {
		m["service-id"] = f.ServiceID
	}
	if f.Query != "" {
		m["query-string"] = f.Query
	}
	if len(f.Details) > 0 {
		m["details"] = f.Details
	}
	b, err := json.Marshal(map[string]any{"waiter-error": m})
	if err != nil { // details hold only JSON values; keep the answer anyway
		b, _ = json.Marshal(map[string]any{"waiter-error": map[string]any{"message": f.Message, "status": f.Status, "cid": f.CID}})
	}
	return append(b, '\n')
}

// infoLines are the "Request Info" rows of the text and HTML pages.
func infoLines(f errorFields) [][2]string {
	rows := [][2]string{{"Host", f.Host}, {"Path", f.URI}, {"Query String", f.Query},
		{"Method", f.Method}, {"CID", f.CID}}
	if f.ServiceID != "" {
		rows = append(rows, [2]string{"Service Id", f.ServiceID})
	}
	return append(rows, [2]string{"Router Id", f.RouterID}, [2]string{"Time", f.Time})
}

func detailLines(d map[string]any) []string {
	keys := make([]string, 0, len(d))
	for k := range d {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	out := make([]string, 0, len(keys))
	for _, k := range keys {
		v := d[k]
		if fields, ok := v.([]map[string]string); ok {
			for _, fe := range fields {
				out = append(out, fe["field"]+": "+fe["message"])
			}
			continue
		}
		out = append(out, fmt.Sprintf("%s: %v", k, v))
	}
	return out
}

// renderTextError follows Waiter's web/error.txt layout.
func renderTextError(f errorFields) string {
	var b strings.Builder
	fmt.Fprintf(&b, "Waiter Error %d\n================\n\n  %s\n\n", f.Status, f.Message)
	b.WriteString("Request Info\n============\n\n")
	for _, row := range infoLines(f) {
		fmt.Fprintf(&b, "%14s: %s\n", row[0], row[1])
	}
	if lines := detailLines(f.Details); len(lines) > 0 {
		b.WriteString("\nAdditional Info\n===============\n\n")
		for _, l := range lines {
			b.WriteString("  " + l + "\n")
		}
	}
	return b.String()
}

func renderHTMLError(f errorFields) string {
	var b strings.Builder
	esc := htmlEscaper.Replace
	fmt.Fprintf(&b, "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>Waiter Error %d</title></head>\n<body>\n", f.Status)
	fmt.Fprintf(&b, "<h1>Waiter Error %d</h1>\n<p class=\"message\">%s</p>\n<h2>Request Info</h2>\n<table>\n", f.Status, esc(f.Message))
	for _, row := range infoLines(f) {
		fmt.Fprintf(&b, "<tr><th>%s</th><td>%s</td></tr>\n", esc(row[0]), esc(row[1]))
	}
	b.WriteString("</table>\n")
	if lines := detailLines(f.Details); len(lines) > 0 {
		b.WriteString("<h2>Additional Info</h2>\n<ul>\n")
		for _, l := range lines {
			fmt.Fprintf(&b, "<li>%s</li>\n", esc(l))
		}
		b.WriteString("</ul>\n")
	}
	b.WriteString("</body></html>\n")
	return b.String()
}

// htmlEscaper escapes text for HTML with named entities where they exist
// (&quot; rather than html.EscapeString's &#34;), as Waiter's error page
// does and its maintenance-mode test expects.
var htmlEscaper = strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", `"`, "&quot;", "'", "&#39;")
