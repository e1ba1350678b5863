package waiterhttp

import (
	"net/http"
	"strings"

	"github.com/waiter-go/waiter"
)

// proxyPreamble applies the token rules that act before authentication
// (a preflight carries no credentials, and a redirect must not depend on
// them): https-redirect and CORS. It reports whether it answered r.
func (s *Server) proxyPreamble(w http.ResponseWriter, r *http.Request, tokens []waiter.Token) bool {
	if wantsHTTPS(tokens) && requestScheme(r) == "http" {
		w.Header().Set("Server", s.serverHeader())
		redirectToHTTPS(w, r)
		return true
	}
	if r.Header.Get("Origin") == "" {
		return false
	}
	rules, ok := tokenCORSRules(tokens)
	if !ok {
		rules = s.svcCORS
	}
	if r.Method == http.MethodOptions && r.Header.Get("Access-Control-Request-Method") != "" {
		s.servicePreflight(w, r, rules)
		return true
	}
	blessService(w, r, rules)
	return false
}

func wantsHTTPS(tokens []waiter.Token) bool {
	for _, t := range tokens {
		if on, _ := t.Data["https-redirect"].(bool); on {
			return true
		}
	}
	return false
}

// requestScheme is how the client reached Waiter: TLS, or the scheme a
// TLS-terminating load balancer names in X-Forwarded-Proto (Waiter's
// request->scheme).
func requestScheme(r *http.Request) string {
	if p := r.Header.Get("X-Forwarded-Proto"); p != "" {
		return strings.ToLower(strings.TrimSpace(strings.Split(p, ",")[0]))
	}
	if r.TLS != nil {
		return "https"
	}
	return "http"
}

// redirectToHTTPS sends the client to the same URL over https on the
// default port, as Waiter does (the http port is not the https one): 301
// for GET and HEAD, 307 for other methods so the client repeats the
// method and body.
func redirectToHTTPS(w http.ResponseWriter, r *http.Request) {
	status := http.StatusTemporaryRedirect
	if r.Method == http.MethodGet || r.Method == http.MethodHead {
		status = http.StatusMovedPermanently
	}
	closeIfBodyUnread(w.Header(), r)
	host := hostname(r.Host)
	if strings.Contains(host, ":") {
		host = "[" + host + "]"
	}
	w.Header().Set("Location", "https://"+host+r.URL.RequestURI())
	w.WriteHeader(status)
}
