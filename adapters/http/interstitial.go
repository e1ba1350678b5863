package waiterhttp

import (
	"fmt"
	"html"
	"net/http"
	"strings"

	"github.com/waiter-go/waiter"
)

// bypassInterstitial is the query parameter with which the interstitial
// page retries its request: that request waits in the queue as any other.
const bypassInterstitial = "x-waiter-bypass-interstitial"

// interstitial answers a browser's first request to a token service
// with interstitial-secs > 0 that has no healthy instance (Waiter's
// wrap-interstitial): the service is started and the browser gets a
// small page that retries the request, bypassing the interstitial, after
// interstitial-secs, instead of a blank tab waiting for the queue.
// Non-browser clients (no text/html in Accept), non-GET requests and
// on-the-fly services are queued as before. It reports whether it
// answered r.
func (s *Server) interstitial(w http.ResponseWriter, r *http.Request, rs *resolved) bool {
	secs := rs.desc.InterstitialSecs
	if secs <= 0 || len(rs.tokens) == 0 || r.Method != http.MethodGet ||
		!strings.Contains(r.Header.Get("Accept"), "text/html") || r.URL.Query().Has(bypassInterstitial) {
		return false
	}
	if snap, ok := s.router.Service(rs.desc.ID); ok && hasHealthy(snap) {
		return false
	}
	s.router.Start(rs.desc)
	retry := *r.URL
	q := retry.Query()
	q.Set(bypassInterstitial, "1")
	retry.RawQuery = q.Encode()
	target := html.EscapeString(retry.RequestURI())
	h := w.Header()
	h.Set("Server", s.serverHeader())
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	h.Set("x-waiter-interstitial", "true")
	h.Set("x-waiter-service-id", rs.desc.ID)
	closeIfBodyUnread(h, r)
	w.WriteHeader(http.StatusOK)
	_, _ = fmt.Fprintf(w, interstitialPage, secs, target, html.EscapeString(rs.desc.ID), secs, target)
	return true
}

// interstitialPage refreshes to the bypass URL after the delay; the link
// is for browsers that ignore meta refresh.
const interstitialPage = `<!DOCTYPE html>
<html><head><meta charset="utf-8"><meta http-equiv="refresh" content="%d; url=%s">
<title>Starting service</title></head>
<body><p>Waiter is starting service <code>%s</code>. This page retries in %d seconds;
<a href="%s">retry now</a>.</p></body></html>
`

func hasHealthy(snap waiter.ServiceSnapshot) bool {
	for _, in := range snap.Instances {
		if in.Healthy {
			return true
		}
	}
	return false
}
