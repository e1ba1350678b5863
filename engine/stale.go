package engine

import "time"

// Stale services (Waiter's service->gc-time and retrieve-token-stale-info,
// service_description.clj; reference 3.6 and 7.6). A service records the
// token versions that reached it. Once every one of them has been edited
// (or deleted) the service is stale: requests through those tokens go to
// the new version's service, and the old one is deleted, once nothing is
// outstanding, at
//
//	update-time + max over its tokens of (fallback-period-secs + stale-timeout-mins)
//
// where update-time is the latest of the times its recorded versions were
// replaced, and the periods are the tokens' current values (defaults 300 s
// and 15 min). This comes before idle-timeout-mins, which may be 0 (never
// idle): a stale service goes all the same. A service reached only by
// headers has no tokens and never goes stale.

// Token defaults of the stale rule (Waiter's token-defaults).
const (
	DefaultFallbackPeriod = 300 * time.Second
	DefaultStaleTimeout   = 15 * time.Minute
)

// TokenVersion is one version of a token: its ETag and when it was written.
type TokenVersion struct {
	ETag      string
	UpdatedAt time.Time
}

// StaleSource is a token version that reached a service, with what the
// token is now.
type StaleSource struct {
	// Version is the ETag that reached the service.
	Version string
	// Versions are the token's versions, newest (current, maybe deleted)
	// first; empty when the token is gone altogether.
	Versions []TokenVersion
	// FallbackPeriod and StaleTimeout are the current token's values.
	FallbackPeriod, StaleTimeout time.Duration
}

// StaleDeadline says whether a service reached through sources is stale
// and, if so, when it may be deleted (once idle). lastActive stands for the
// update time when no version's replacement time is known (a token gone
// altogether), as Waiter falls back to the service's last-modified-time.
func StaleDeadline(sources []StaleSource, lastActive time.Time) (gcAt time.Time, stale bool) {
	if len(sources) == 0 {
		return time.Time{}, false
	}
	var updated time.Time
	var delay time.Duration
	for _, s := range sources {
		if len(s.Versions) > 0 && s.Versions[0].ETag == s.Version {
			return time.Time{}, false // this token still describes the service
		}
		if t := replacedAt(s); t.After(updated) {
			updated = t
		}
		delay = max(delay, s.FallbackPeriod+s.StaleTimeout)
	}
	if updated.IsZero() {
		updated = lastActive
	}
	return updated.Add(delay), true
}

// replacedAt is when s.Version was superseded: the write of the version
// after it, or the current version's when the history no longer holds it.
func replacedAt(s StaleSource) time.Time {
	for i := len(s.Versions) - 1; i > 0; i-- {
		if s.Versions[i].ETag == s.Version {
			return s.Versions[i-1].UpdatedAt
		}
	}
	if len(s.Versions) > 0 {
		return s.Versions[0].UpdatedAt
	}
	return time.Time{}
}
