package waiterhttp

import (
	"net/http"

	"github.com/waiter-go/waiter"
	"github.com/waiter-go/waiter/engine"
)

// appExtras adds to an /apps entry (or /apps/{id}) what Waiter's
// service-list-handler and service-handler add (handler.clj):
// current-for-tokens and deployment-error-message always when there are
// any, and on request include=healthy-instances (under "instances", with
// host, id, port and started-at), include=references (the token versions
// that reached the service, as Waiter's reference entries) and
// include=token-fallback (the previous version's service its one current
// token falls back to now). /apps/{id} also takes include=metrics.
func (s *Server) appExtras(m map[string]any, snap waiter.ServiceSnapshot, refs []tokenRef, include map[string]bool) {
	current := s.currentForTokens(refs)
	if len(current) > 0 {
		m["current-for-tokens"] = current
	}
	if snap.DeploymentError != "" {
		m["deployment-error-message"] = snap.DeploymentError
	}
	if include["healthy-instances"] {
		healthy := []map[string]any{}
		for _, in := range snap.Instances {
			if in.Healthy {
				healthy = append(healthy, map[string]any{"host": in.Host, "id": in.ID, "port": in.Port, "started-at": timeOrNil(in.StartedAt)})
			}
		}
		m["instances"] = map[string]any{"healthy-instances": healthy}
	}
	if include["references"] {
		var list []map[string]any
		for _, ref := range refs {
			list = append(list, map[string]any{"token": map[string]any{"sources": []tokenRef{ref}}})
		}
		m["references"] = list // null when reached by headers only, as Waiter's (seq #{})
	}
	if include["token-fallback"] {
		if fb := s.tokenFallback(snap, current); fb != "" {
			m["token-fallback"] = map[string]any{"service-id": fb}
		}
	}
}

// currentForTokens are the source tokens whose current version is the
// one that reached the service (Waiter's get-current-for-tokens).
func (s *Server) currentForTokens(refs []tokenRef) []string {
	var out []string
	for _, ref := range refs {
		if t, err := s.store.GetToken(ref.Token, false); err == nil && t.ETag == ref.Version {
			out = append(out, ref.Token)
		}
	}
	return out
}

// tokenFallback is Waiter's retrieve-token-based-fallback: with exactly
// one current token, resolve a request naming only that token as the
// service's run-as-user; when the service is the token's newest and the
// request would fall back to another, that one.
func (s *Server) tokenFallback(snap waiter.ServiceSnapshot, current []string) string {
	if len(current) != 1 || snap.Description == nil {
		return ""
	}
	t, err := s.store.GetToken(current[0], false)
	if err != nil {
		return ""
	}
	hp, err := engine.ParseHeaders(http.Header{"X-Waiter-Token": {current[0]}})
	if err != nil {
		return ""
	}
	parts := []tokenParts{splitToken(t)}
	user, _ := snap.Description.Core["run-as-user"].(string)
	desc, herr := s.describe(hp, parts, user)
	if herr != nil || desc.ID != snap.ID {
		return ""
	}
	rs := &resolved{desc: desc, headers: hp, tokens: []waiter.Token{t}, user: user}
	if fb, _, ok := s.fallbackFor(rs, parts); ok && fb.ID != desc.ID {
		return fb.ID
	}
	return ""
}
