package waiterhttp

import (
	"errors"
	"net/http"
	"strings"
	"time"

	"github.com/waiter-go/waiter"
	"github.com/waiter-go/waiter/engine"
)

// resolved is everything a proxied request (or /service-id, /waiter-ping)
// learns about its service before it is admitted.
type resolved struct {
	// desc is the service to serve the request: the newest one, or a
	// previous healthy one during a token's fallback period.
	desc *engine.Description
	// latest is the newest description when desc is a fallback.
	latest  *engine.Description
	headers engine.HeaderParams
	tokens  []waiter.Token
	// sources are the token versions that describe desc: tokens, or with
	// fallback the earlier version desc comes from (its source tokens).
	sources []waiter.Token
	user    string
	t       timeouts
	// now is when the request arrived (its reqInfo's start), zero when
	// not known: the time fallback is decided at.
	now time.Time
	// tokenBuf holds the one token most requests name (proxy reads it
	// into here, saving the slice's allocation).
	tokenBuf [1]waiter.Token
	// grant is the proxied request's instance, once admitted (proxy
	// keeps it here, saving its allocation).
	grant waiter.Grant
}

// tokenParts splits a token's data into service parameters and metadata.
type tokenParts struct {
	service engine.Params
	meta    map[string]any
	order   engine.KeyOrder
}

func splitToken(t waiter.Token) tokenParts {
	svc, meta, _ := engine.SplitTokenData(t.Data)
	return tokenParts{service: svc, meta: meta, order: t.KeyOrder}
}

// resolve finds a request's service (reference 1.2 steps 1, 2, 4, 5):
// parse x-waiter-* headers, look up tokens, refuse tokens in maintenance,
// authenticate (unless the tokens disable it for this proxied request),
// merge into a description, apply overrides, authorize, and pick a
// fallback service when allowed. It stores nothing: a description is
// stored when a request starts its service (storeBeforeStart), so
// resolving (say, /service-id with ever new headers) cannot grow the
// store.
func (s *Server) resolve(r *http.Request, allowFallback bool) (*resolved, *Error) {
	hp, wireKey, err := parseHeaders(r)
	if err != nil {
		return nil, toError(err)
	}
	tokens, herr := s.requestTokens(r, hp, nil)
	if herr != nil {
		return nil, herr
	}
	return s.resolveTokens(nil, r, hp, wireKey, tokens, allowFallback)
}

// resolveTokens is resolve once the headers are parsed and the tokens
// read (the proxy reads them first for its pre-authentication rules);
// hp and wireKey are parseHeaders'. The answer is rs when it is not nil
// (whose tokenBuf tokens may be in), else a new one.
func (s *Server) resolveTokens(rs *resolved, r *http.Request, hp engine.HeaderParams, wireKey string, tokens []waiter.Token, allowFallback bool) (*resolved, *Error) {
	parts := make([]tokenParts, len(tokens))
	for i, t := range tokens {
		parts[i] = s.tparts.split(t)
		if msg := maintenanceMessage(parts[i].meta); msg != "" {
			return nil, &Error{Status: http.StatusServiceUnavailable, Message: msg,
				Details: map[string]any{"token": t.Name}}
		}
	}
	user, herr := s.requester(r, hp, parts)
	if herr != nil {
		return nil, herr
	}
	desc, herr := s.describeCached(wireKey, hp, parts, tokens, user)
	if herr != nil {
		return nil, herr
	}
	if herr := authorize(s.auth, user, desc, preAuthorized(hp, parts)); herr != nil {
		return nil, herr
	}
	metas := make([]map[string]any, len(parts))
	for i, p := range parts {
		metas[i] = p.meta
	}
	if rs == nil {
		rs = new(resolved)
	}
	// Field by field: tokens may be in rs.tokenBuf.
	rs.desc, rs.latest, rs.headers, rs.tokens, rs.sources, rs.user = desc, nil, hp, tokens, tokens, user
	rs.t = s.requestTimeouts(hp.Request, metas)
	if ri, ok := r.Context().Value(infoKey{}).(*reqInfo); ok {
		rs.now = ri.start
	}
	if allowFallback {
		s.applyFallback(rs, parts)
	}
	s.services.noteResolved(rs.desc.ID, rs.desc.Core)
	s.services.addSources(rs.desc.ID, rs.sources)
	return rs, nil
}

// requester is the user a request acts for: the authenticated caller,
// or nobody ("") when the request is proxied to a service whose tokens
// disable authentication (Waiter's wrap-auth-bypass, which also refuses
// an on-the-fly authentication parameter). API calls (/service-id,
// /waiter-ping) always authenticate, as Waiter's wrap-ignore-disabled-auth
// makes them.
func (s *Server) requester(r *http.Request, hp engine.HeaderParams, parts []tokenParts) (string, *Error) {
	if !isAPIRequest(s.cls, r) {
		if user, done, herr := s.authBypass(hp, parts); done || herr != nil {
			return user, herr
		}
	}
	p, herr := s.caller(r)
	if herr != nil {
		return "", herr
	}
	return p.User, nil
}

// authBypass is Waiter's process-authentication-parameter for a proxied
// request: done when its tokens disable authentication.
func (s *Server) authBypass(hp engine.HeaderParams, parts []tokenParts) (string, bool, *Error) {
	if _, ok := hp.Service["authentication"]; ok {
		return "", false, badRequest("An authentication parameter is not supported for on-the-fly headers")
	}
	if anyDisablesAuthentication(parts) {
		params := make([]engine.Params, len(parts))
		for i, p := range parts {
			params[i] = p.service
		}
		if engine.DisablesAuthentication(params, s.cfg.Description.Defaults) {
			if hp.OnTheFly() {
				return "", false, badRequest("An authentication disabled token may not be combined with on-the-fly headers")
			}
			return "", true, nil
		}
	}
	return "", false, nil
}

// anyDisablesAuthentication reports a token that sets authentication
// "disabled": without one, engine.DisablesAuthentication is false, and
// the merge it costs (a map per request) is skipped.
func anyDisablesAuthentication(parts []tokenParts) bool {
	for _, p := range parts {
		if a, _ := p.service["authentication"].(string); a == engine.AuthenticationDisabled {
			return true
		}
	}
	return false
}

// describeCached is describe with a cache of the description before
// overrides (overrides are applied on every call: they live in the
// service cache and change without changing the key). hp and wireKey
// are parseHeaders'.
func (s *Server) describeCached(wireKey string, hp engine.HeaderParams, parts []tokenParts, tokens []waiter.Token, user string) (*engine.Description, *Error) {
	bp := descKeyBufs.Get().(*[]byte)
	key := s.descs.key((*bp)[:0], wireKey, hp, tokens, user)
	defer func() { *bp = key[:0]; descKeyBufs.Put(bp) }()
	desc := s.descs.get(key)
	if desc == nil {
		params, orders := tokenSources(parts)
		d, err := engine.ResolveDescription(engine.Source{Headers: hp, Tokens: params, TokenOrders: orders, Requester: user}, s.cfg.Description)
		if err != nil {
			return nil, toError(err)
		}
		s.descs.put(key, d)
		desc = d
	}
	return s.withOverrides(desc)
}

// tokenSources are the tokens' service parameters and key orders.
func tokenSources(parts []tokenParts) ([]engine.Params, []engine.KeyOrder) {
	params := make([]engine.Params, len(parts))
	orders := make([]engine.KeyOrder, len(parts))
	for i, p := range parts {
		params[i], orders[i] = p.service, p.order
	}
	return params, orders
}

// describe merges headers and token parameters into a validated
// description and applies the service's stored overrides.
func (s *Server) describe(hp engine.HeaderParams, parts []tokenParts, user string) (*engine.Description, *Error) {
	params, orders := tokenSources(parts)
	desc, err := engine.ResolveDescription(engine.Source{Headers: hp, Tokens: params, TokenOrders: orders, Requester: user}, s.cfg.Description)
	if err != nil {
		return nil, toError(err)
	}
	return s.withOverrides(desc)
}

// withOverrides applies the stored overrides of desc's service, if any.
func (s *Server) withOverrides(desc *engine.Description) (*engine.Description, *Error) {
	ov, err := s.services.overrides(desc.ID)
	if err != nil {
		return nil, toError(err)
	}
	if len(ov.Overrides) == 0 {
		return desc, nil
	}
	nd, err := desc.WithOverrides(engine.NormalizeParams(ov.Overrides), s.cfg.Description)
	if err != nil {
		return nil, toError(err)
	}
	return nd, nil
}

// requestTokens returns the tokens a request names, appended to buf: every x-waiter-token
// entry must exist (404 "Token not found: ..."); without that header, the
// Host's hostname names a token when it is not the router's own, and a
// missing host token is silently no token.
//
// A name that breaks Waiter's character rule can never have been created,
// so it is answered as missing without asking the store: a flood of
// requests with made-up names (any Host a client sends) costs no store
// read, and a cache of missing names cannot be filled with them.
func (s *Server) requestTokens(r *http.Request, hp engine.HeaderParams, buf []waiter.Token) ([]waiter.Token, *Error) {
	if len(hp.Tokens) > 0 {
		out := buf[:0]
		if cap(out) < len(hp.Tokens) {
			out = make([]waiter.Token, 0, len(hp.Tokens))
		}
		for _, name := range hp.Tokens {
			if !engine.IsTokenName(name) {
				return nil, &Error{Status: http.StatusNotFound, Message: "Token not found: " + name,
					Details: map[string]any{"token": name, "rule": "must match pattern: " + engine.TokenNamePattern}}
			}
			t, err := s.store.GetToken(name, false)
			if errors.Is(err, waiter.ErrTokenNotFound) {
				return nil, &Error{Status: http.StatusNotFound, Message: "Token not found: " + name, Cause: err}
			}
			if err != nil {
				return nil, toError(err)
			}
			out = append(out, t)
		}
		return out, nil
	}
	name := s.cls.hostToken(r)
	if !engine.IsTokenName(name) {
		return nil, nil
	}
	t, err := s.store.GetToken(name, false)
	if errors.Is(err, waiter.ErrTokenNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, toError(err)
	}
	return append(buf[:0], t), nil
}

// maintenanceMessage returns a token's maintenance message, if it is in
// maintenance mode (token metadata "maintenance": {"message": ...}).
func maintenanceMessage(meta map[string]any) string {
	m, ok := meta["maintenance"].(map[string]any)
	if !ok {
		return ""
	}
	msg, _ := m["message"].(string)
	if strings.TrimSpace(msg) == "" {
		return "Service is in maintenance mode"
	}
	return msg
}

// preAuthorized: a service reached only through tokens that set both
// run-as-user and permitted-user was authorized by the token's owner, so
// the caller need not be able to run as that user (reference 7.6).
func preAuthorized(hp engine.HeaderParams, parts []tokenParts) bool {
	if hp.OnTheFly() || len(parts) == 0 {
		return false
	}
	var runAs, permitted bool
	for _, p := range parts {
		if v, ok := p.service["run-as-user"].(string); ok && v != "" && v != "*" {
			runAs = true
		}
		if _, ok := p.service["permitted-user"].(string); ok {
			permitted = true
		}
	}
	return runAs && permitted
}
