package waiterhttp

import (
	"time"

	"github.com/waiter-go/waiter"
	"github.com/waiter-go/waiter/engine"
)

// applyFallback implements token fallback (reference 7.6, descriptor.clj
// resolve-descriptor): right after a token edit, the new service has no
// healthy instance yet; for fallback-period-secs after the edit, requests
// go to the newest previous version's service that has a healthy
// instance, while the new service starts in the background. Without such
// a service, or outside the period, the request waits for the new one.
func (s *Server) applyFallback(rs *resolved, parts []tokenParts) {
	if len(rs.tokens) == 0 {
		return
	}
	period := s.fallbackPeriod(rs.headers.Request, parts)
	if period <= 0 || s.healthy(rs.desc.ID) {
		return
	}
	// The most recently edited token is the one whose history we walk.
	newest := 0
	for i, t := range rs.tokens {
		if updateTime(t).After(updateTime(rs.tokens[newest])) {
			newest = i
		}
	}
	edited := updateTime(rs.tokens[newest])
	if edited.IsZero() || !s.clock.Now().Before(edited.Add(period)) {
		return
	}
	history, err := s.store.TokenHistory(rs.tokens[newest].Name)
	if err != nil {
		return // no history, no fallback: the request waits for the new service
	}
	for _, prev := range history {
		if prev.Deleted {
			continue
		}
		alt := append([]tokenParts(nil), parts...)
		alt[newest] = splitToken(prev)
		desc, herr := s.describe(rs.headers, alt, rs.user)
		if herr != nil || desc.ID == rs.desc.ID || !s.healthy(desc.ID) {
			continue
		}
		if authorize(s.auth, rs.user, desc, preAuthorized(rs.headers, alt)) != nil {
			continue
		}
		rs.latest, rs.desc = rs.desc, desc
		if s.storeBeforeStart(rs.latest) == nil {
			s.router.Start(rs.latest)
		}
		return
	}
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
	snap, ok := s.router.Service(id)
	return ok && snap.Healthy() > 0
}

// updateTime is a token version's last-update-time (epoch ms in the data).
func updateTime(t waiter.Token) time.Time {
	ms, ok := t.Data["last-update-time"].(float64)
	if !ok {
		return time.Time{}
	}
	return time.UnixMilli(int64(ms))
}
