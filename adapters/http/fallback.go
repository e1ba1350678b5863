package waiterhttp

import (
	"time"

	"github.com/waiter-go/waiter"
	"github.com/waiter-go/waiter/engine"
	"github.com/waiter-go/waiter/engine/fallback"
)

// applyFallback carries out token fallback (engine/fallback decides): the
// edge reads the clock, the services' states and, only when fallback can
// apply, the newest token's history, resolving each earlier version for
// this request; the request then goes to the chosen service while the
// newest one starts in the background.
func (s *Server) applyFallback(rs *resolved, parts []tokenParts) {
	desc, sources, ok := s.fallbackFor(rs, parts)
	if !ok {
		return
	}
	rs.latest, rs.desc, rs.sources = rs.desc, desc, sources
	if s.storeBeforeStart(rs.latest) == nil {
		s.router.Start(rs.latest)
	}
}

// fallbackFor is the previous version's service a request resolved to rs
// goes to during its token's fallback period, if any, with the token
// versions that describe it (its source tokens, as Waiter's previous
// descriptor has them); it changes nothing (/apps?include=token-fallback
// asks it too).
func (s *Server) fallbackFor(rs *resolved, parts []tokenParts) (*engine.Description, []waiter.Token, bool) {
	if len(rs.tokens) == 0 {
		return nil, nil, false
	}
	newest, edited, period := s.fallbackWindow(rs, parts)
	now := rs.now
	if now.IsZero() {
		now = s.clock.Now()
	}
	// Health is asked only within the fallback period (Applies): outside
	// it, the usual case, the request does not ask the router.
	if !fallback.Applies(now, edited, period, func() bool { return s.healthy(rs.desc.ID) }) {
		return nil, nil, false
	}
	history, err := s.store.TokenHistory(rs.tokens[newest].Name)
	if err != nil {
		return nil, nil, false // no history, no fallback: the request waits for the new service
	}
	versions := make([]fallback.Version, len(history))
	descs := map[string]*engine.Description{}
	sources := map[string][]waiter.Token{}
	healthy := map[string]bool{}
	for i, prev := range history {
		if prev.Deleted {
			continue
		}
		alt := append([]tokenParts(nil), parts...)
		alt[newest] = splitToken(prev)
		desc, herr := s.describe(rs.headers, alt, rs.user)
		if herr != nil || authorize(s.auth, rs.user, desc, preAuthorized(rs.headers, alt)) != nil {
			continue
		}
		versions[i].ServiceID = desc.ID
		if _, seen := descs[desc.ID]; !seen {
			descs[desc.ID], healthy[desc.ID] = desc, s.healthy(desc.ID)
			sources[desc.ID] = append([]waiter.Token(nil), rs.tokens...)
			sources[desc.ID][newest] = prev
		}
	}
	id, ok := fallback.Choose(rs.desc.ID, versions, healthy)
	if !ok {
		return nil, nil, false
	}
	return descs[id], sources[id], true
}

// fallbackWindow is the token whose history fallback walks, the most
// recently edited one (rs.tokens[newest], edited then), and the fallback
// period after its edit; rs has tokens.
func (s *Server) fallbackWindow(rs *resolved, parts []tokenParts) (newest int, edited time.Time, period time.Duration) {
	for i, t := range rs.tokens {
		if updateTime(t).After(updateTime(rs.tokens[newest])) {
			newest = i
		}
	}
	return newest, updateTime(rs.tokens[newest]), s.fallbackPeriod(rs.headers.Request, parts)
}

// fallbackEnds is when the fallback period of rs's token versions ends
// (fallback.Applies is false from then on, whatever the health); zero
// when they have none.
func (s *Server) fallbackEnds(rs *resolved, parts []tokenParts) time.Time {
	if len(rs.tokens) == 0 {
		return time.Time{}
	}
	_, edited, period := s.fallbackWindow(rs, parts)
	if period <= 0 || edited.IsZero() {
		return time.Time{}
	}
	return edited.Add(period)
}

// fallbackPeriod: x-waiter-fallback-period-secs, else the last token that
// sets fallback-period-secs, else the router default.
func (s *Server) fallbackPeriod(rp engine.RequestParams, parts []tokenParts) time.Duration {
	if rp.FallbackPeriodSecs >= 0 {
		return time.Duration(rp.FallbackPeriodSecs) * time.Second
	}
	period := s.cfg.FallbackPeriod
	for _, p := range parts {
		if secs, ok := p.meta["fallback-period-secs"].(float64); ok {
			period = time.Duration(secs * float64(time.Second))
		}
	}
	return period
}

func (s *Server) healthy(id string) bool {
	if hc, ok := s.router.(healthCounter); ok {
		n, ok := hc.HealthyCount(id)
		return ok && n > 0
	}
	snap, ok := s.router.Service(id)
	return ok && snap.Healthy() > 0
}

// healthCounter is a router that counts a service's healthy instances
// without building its snapshot (the router's driver): every request in
// a token's fallback period asks.
type healthCounter interface {
	HealthyCount(id string) (int, bool)
}

// updateTime is a token version's last-update-time (epoch ms in the data).
func updateTime(t waiter.Token) time.Time {
	ms, ok := t.Data["last-update-time"].(float64)
	if !ok {
		return time.Time{}
	}
	return time.UnixMilli(int64(ms))
}
