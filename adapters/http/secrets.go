package waiterhttp

import (
	"maps"

	"github.com/waiter-go/waiter"
	"github.com/waiter-go/waiter/engine"
)

// Secrets: a service's env often carries credentials, and /apps and
// /token show descriptions to every authenticated user. Only those who
// may maintain the service (or write the token) see env values; everyone
// else sees the keys, each with hiddenValue, so they still learn which
// variables are set.

// hiddenValue stands for an env value the caller may not see.
const hiddenValue = "[hidden]"

// maskEnv returns p with every env value replaced by hiddenValue. p itself
// is never changed: it may be the router's own description.
func maskEnv(p map[string]any) map[string]any {
	env, ok := p["env"]
	if !ok {
		return p
	}
	out := maps.Clone(p)
	switch e := env.(type) {
	case map[string]string:
		out["env"] = maskedKeys(e)
	case map[string]any:
		out["env"] = maskedKeys(e)
	default:
		// Not a map (a stored description from an older build): hide it
		// whole rather than guess where its values are.
		out["env"] = hiddenValue
	}
	return out
}

func maskedKeys[V any](m map[string]V) map[string]string {
	out := make(map[string]string, len(m))
	for k := range m {
		out[k] = hiddenValue
	}
	return out
}

// visibleSnapshot is snap as user may see it: unchanged for those who may
// maintain the service, else with env values hidden in its description.
func (s *Server) visibleSnapshot(user string, snap waiter.ServiceSnapshot) waiter.ServiceSnapshot {
	if snap.Description == nil || s.mayManageService(user, snap) {
		return snap
	}
	d := *snap.Description
	d.Core = engine.Params(maskEnv(d.Core))
	d.SetEffective(engine.Params(maskEnv(d.Effective())))
	d.Env = maskedKeys(d.Env)
	snap.Description = &d
	return snap
}

// mayReadToken reports whether user may see a token's env values: its
// owner, its editor (who may rewrite them anyway), the user it runs as,
// and admins.
func (s *Server) mayReadToken(user string, data map[string]any) bool {
	if s.auth.IsAdmin(user) {
		return true
	}
	for _, k := range []string{"owner", "editor", "run-as-user"} {
		if who, _ := data[k].(string); who != "" && who != "*" && s.auth.CanManage(user, who) {
			return true
		}
	}
	return false
}
