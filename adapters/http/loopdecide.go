package waiterhttp

import (
	"net/http"
	"time"

	"github.com/waiter-go/waiter"
	"github.com/waiter-go/waiter/engine"
	"github.com/waiter-go/waiter/internal/h1serve"
)

// LoopDecisions keeps, for one event loop, what its proxied requests were
// decided to be (proxyDecide's admission of a service, with its
// timeouts), so that the next request the same way (the same Host and
// x-waiter-* headers, the same caller) takes it without resolving again:
// no header parse, token merge, description key, fallback window or
// service records to read, only the checks that may have moved (the
// tokens' versions, the caller, entitlement, and within the tokens'
// fallback period the service's health, which decides whether the
// request falls back). A decision stands while no service record it read
// changes (serviceCache.changes), and is made only for a request that
// did not fall back, and where the request's other headers cannot change
// it (no CORS, https redirect or interstitial rule applies). One loop's goroutine uses it: it has no lock.
type LoopDecisions struct {
	m    map[string]*loopDecision
	key  []byte // the key being looked up, reused
	hits uint64 // requests served from a kept decision
}

// maxLoopDecisions bounds a loop's decisions; past it they start over.
const maxLoopDecisions = 1024

// loopDecision is one kept decision.
type loopDecision struct {
	changes uint64 // serviceCache.changes when decided
	desc    *engine.Description
	headers engine.HeaderParams
	t       timeouts
	etags   []string // the tokens' versions, in order
	// fallbackEnds: until then (the tokens' fallback period), a request
	// falls back to an earlier version's service unless this one is
	// healthy (fallbackFor).
	fallbackEnds time.Time
	// user is the caller it was decided for; bypass: the tokens disable
	// authentication (no caller, user ""); preAuthorized: authorize's.
	user                  string
	bypass, preAuthorized bool
}

// NewLoopDecisions returns an empty LoopDecisions, for one loop.
func (s *Server) NewLoopDecisions() *LoopDecisions {
	return &LoopDecisions{m: map[string]*loopDecision{}}
}

// decisionKey is the key of r's decision: its Host and x-waiter-*
// headers, in d's buffer; false when they are too many or too long to
// keep. With fields (r's header lines in wire order) the headers are
// keyed in the order they came (waiterFieldsKey), without walking and
// sorting the map's names (waiterHeadersKey): a client that sends them
// in another order keeps a decision of its own, and the two forms never
// make one key for two different sets of headers.
func (d *LoopDecisions) decisionKey(r *http.Request, fields []h1serve.Field) ([]byte, bool) {
	k := append(d.key[:0], r.Host...)
	k = append(k, 0)
	var ok bool
	if fields != nil {
		k, ok = waiterFieldsKey(k, fields)
	} else {
		k, ok = waiterHeadersKey(k, r.Header)
	}
	d.key = k
	return k, ok
}

// decided is proxyDecide's answer for r from a kept decision, when one
// stands: rs is then r's, as proxyDecide would have made it.
func (s *Server) decided(d *LoopDecisions, r *http.Request, fields []h1serve.Field, ri *reqInfo) (*resolved, bool) {
	if d == nil || len(d.m) == 0 {
		return nil, false
	}
	if _, ok := r.Header["Origin"]; ok {
		return nil, false // CORS: proxyPreamble answers or adds headers
	}
	key, ok := d.decisionKey(r, fields)
	if !ok {
		return nil, false
	}
	e := d.m[string(key)]
	if e == nil || e.changes != s.services.changes.Load() {
		return nil, false
	}
	rs := takeResolved(r)
	tokens, herr := s.requestTokens(r, e.headers, rs.tokenBuf[:0])
	if herr != nil || !sameVersions(tokens, e.etags) {
		dropResolved(r, rs)
		return nil, false
	}
	if !e.bypass {
		p, herr := s.caller(r)
		if herr != nil || p.User != e.user {
			dropResolved(r, rs)
			return nil, false
		}
	}
	if authorize(s.auth, e.user, e.desc, e.preAuthorized) != nil ||
		(ri.start.Before(e.fallbackEnds) && !s.healthy(e.desc.ID)) {
		dropResolved(r, rs)
		return nil, false
	}
	rs.desc, rs.latest, rs.headers, rs.tokens, rs.sources, rs.user = e.desc, nil, e.headers, tokens, tokens, e.user
	rs.t, rs.now = e.t, ri.start
	d.hits++
	return rs, true
}

// keepDecision keeps the decision proxyDecide made for r (rs, to admit),
// when nothing but what decided checks can change it; changes is
// serviceCache.changes from before proxyDecide read the records.
func (s *Server) keepDecision(d *LoopDecisions, r *http.Request, fields []h1serve.Field, rs *resolved, changes uint64) {
	if d == nil || rs.latest != nil || wantsHTTPS(rs.tokens) || len(rs.headers.Order) > 0 {
		return
	}
	if _, ok := r.Header["Origin"]; ok {
		return
	}
	if rs.desc.InterstitialSecs > 0 && len(rs.tokens) > 0 {
		return // whether it answers depends on the service's health
	}
	parts := make([]tokenParts, len(rs.tokens))
	for i, t := range rs.tokens {
		parts[i] = s.tparts.split(t)
	}
	key, ok := d.decisionKey(r, fields)
	if !ok {
		return
	}
	_, bypass, _ := s.authBypass(rs.headers, parts)
	e := &loopDecision{changes: changes, desc: rs.desc, headers: rs.headers, t: rs.t, fallbackEnds: s.fallbackEnds(rs, parts),
		user: rs.user, bypass: bypass, preAuthorized: preAuthorized(rs.headers, parts)}
	for _, t := range rs.tokens {
		e.etags = append(e.etags, t.ETag)
	}
	if len(d.m) >= maxLoopDecisions {
		clear(d.m)
	}
	d.m[string(key)] = e
}

// sameVersions reports tokens at the versions etags name.
func sameVersions(tokens []waiter.Token, etags []string) bool {
	if len(tokens) != len(etags) {
		return false
	}
	for i, t := range tokens {
		if t.ETag != etags[i] {
			return false
		}
	}
	return true
}
