package waiterhttp

import (
	"fmt"
	"github.com/waiter-go/waiter"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// ServiceCORS is the router's default CORS policy for proxied requests
// whose tokens set no cors-rules (Waiter's cors-config for services). The
// zero value allows no foreign origin.
type ServiceCORS struct {
	// AllowedOrigins are regular expressions an Origin must match in full
	// (Waiter's allowed-origins patterns).
	AllowedOrigins []string
	// AllowedMethods limits the methods a foreign page may use; empty: any.
	AllowedMethods []string
	// AllowedHeaders are the request headers a foreign page may send;
	// empty: whatever the preflight asks for.
	AllowedHeaders []string
	// AllowCredentials lets the browser send cookies and read the answer
	// of a credentialed request.
	AllowCredentials bool
	// MaxAge is how long a browser may cache a preflight answer; default
	// 3600 s.
	MaxAge time.Duration
}

// corsRule is one compiled rule: a token's cors-rules entry or the
// default policy.
type corsRule struct {
	origin, path *regexp.Regexp // path nil: any path
	methods      []string       // empty: any method
	headers      []string       // empty: echo the requested headers
	credentials  bool
	maxAge       time.Duration
}

// serviceCORS is the compiled default policy.
type serviceCORS []corsRule

func compileServiceCORS(c ServiceCORS) (serviceCORS, error) {
	maxAge := c.MaxAge
	if maxAge <= 0 {
		maxAge = time.Hour
	}
	out := make(serviceCORS, 0, len(c.AllowedOrigins))
	for i, o := range c.AllowedOrigins {
		re, err := fullMatch(o)
		if err != nil {
			return nil, fmt.Errorf("service cors allowed-origins[%d] %q: %w", i, o, err)
		}
		out = append(out, corsRule{origin: re, methods: upper(c.AllowedMethods), headers: c.AllowedHeaders,
			credentials: c.AllowCredentials, maxAge: maxAge})
	}
	return out, nil
}

// fullMatch compiles a pattern that must match a whole string, as
// Clojure's re-matches does in Waiter.
func fullMatch(pattern string) (*regexp.Regexp, error) {
	return regexp.Compile(`^(?:` + pattern + `)$`)
}

func upper(ms []string) []string {
	out := make([]string, len(ms))
	for i, m := range ms {
		out[i] = strings.ToUpper(strings.TrimSpace(m))
	}
	return out
}

// tokenCORSRules compiles the cors-rules (token-only metadata, read
// straight from the token data, so the proxy path does not split every
// token a second time) of the first token that has
// them; ok is false when no token sets cors-rules (the default policy
// applies). Token validation already refused malformed rules; a rule that
// still does not compile allows nothing.
func tokenCORSRules(tokens []waiter.Token) (rules []corsRule, ok bool) {
	for _, t := range tokens {
		raw, has := t.Data["cors-rules"].([]any)
		if !has {
			continue
		}
		for _, r := range raw {
			m, _ := r.(map[string]any)
			originRe, _ := m["origin-regex"].(string)
			origin, err := fullMatch(originRe)
			if originRe == "" || err != nil {
				continue
			}
			rule := corsRule{origin: origin, credentials: true, maxAge: time.Hour}
			if p, _ := m["target-path-regex"].(string); p != "" {
				if rule.path, err = fullMatch(p); err != nil {
					continue
				}
			}
			if ms, isList := m["methods"].([]any); isList {
				for _, v := range ms {
					if s, isStr := v.(string); isStr {
						rule.methods = append(rule.methods, strings.ToUpper(s))
					}
				}
			}
			rules = append(rules, rule)
		}
		return rules, true
	}
	return nil, false
}

// matchCORS returns the first rule that lets origin use method on path.
func matchCORS(rules []corsRule, origin, path, method string) (corsRule, bool) {
	for _, r := range rules {
		if !r.origin.MatchString(origin) || (r.path != nil && !r.path.MatchString(path)) {
			continue
		}
		if len(r.methods) > 0 && !contains(r.methods, strings.ToUpper(method)) {
			continue
		}
		return r, true
	}
	return corsRule{}, false
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

// servicePreflight answers a CORS preflight for a proxied request from
// the rules: the backend never sees it. A refused preflight gets Waiter's
// 403 "Cross-origin request not allowed".
func (s *Server) servicePreflight(w http.ResponseWriter, r *http.Request, rules []corsRule) {
	origin := r.Header.Get("Origin")
	method := r.Header.Get("Access-Control-Request-Method")
	rule, ok := matchCORS(rules, origin, r.URL.Path, method)
	if !ok {
		s.writeError(w, r, &Error{Status: http.StatusForbidden,
			Message: "Cross-origin request not allowed: origin " + origin + " may not " + method + " " + r.URL.Path +
				" (neither the token's cors-rules nor the router's default CORS policy allow it)",
			Details: map[string]any{"origin": origin, "method": method, "path": r.URL.Path}})
		return
	}
	h := w.Header()
	h.Set("Server", s.serverHeader()) // the router's own answer, as its errors are
	h.Set("Access-Control-Allow-Origin", origin)
	if rule.credentials {
		h.Set("Access-Control-Allow-Credentials", "true")
	}
	if len(rule.methods) > 0 {
		h.Set("Access-Control-Allow-Methods", strings.Join(rule.methods, ", "))
	} else {
		h.Set("Access-Control-Allow-Methods", strings.ToUpper(method))
	}
	if len(rule.headers) > 0 {
		h.Set("Access-Control-Allow-Headers", strings.Join(rule.headers, ", "))
	} else if hs := r.Header.Get("Access-Control-Request-Headers"); hs != "" {
		h.Set("Access-Control-Allow-Headers", hs)
	}
	h.Set("Access-Control-Max-Age", strconv.Itoa(int(rule.maxAge/time.Second)))
	h.Add("Vary", "Origin")
	w.WriteHeader(http.StatusOK)
}

// blessService lets an allowed foreign page read a proxied answer. The
// headers are set before forwarding; a backend that sets its own
// Access-Control-* headers answers for itself.
func blessService(w http.ResponseWriter, r *http.Request, rules []corsRule) {
	origin := r.Header.Get("Origin")
	rule, ok := matchCORS(rules, origin, r.URL.Path, r.Method)
	if !ok {
		return
	}
	h := w.Header()
	h.Set("Access-Control-Allow-Origin", origin)
	if rule.credentials {
		h.Set("Access-Control-Allow-Credentials", "true")
	}
	h.Add("Vary", "Origin")
}
