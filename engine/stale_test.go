package engine

import (
	"testing"
	"time"
)

func TestStaleDeadline(t *testing.T) {
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	v := func(etag string, min int) TokenVersion {
		return TokenVersion{ETag: etag, UpdatedAt: t0.Add(time.Duration(min) * time.Minute)}
	}
	hist := []TokenVersion{v("E-3", 30), v("E-2", 20), v("E-1", 10)} // newest first
	defaults := func(version string, versions []TokenVersion) StaleSource {
		return StaleSource{Version: version, Versions: versions, FallbackPeriod: DefaultFallbackPeriod, StaleTimeout: DefaultStaleTimeout}
	}
	for _, c := range []struct {
		name    string
		sources []StaleSource
		stale   bool
		gcAt    time.Time
	}{
		{"headers only: never stale", nil, false, time.Time{}},
		{"current version", []StaleSource{defaults("E-3", hist)}, false, time.Time{}},
		// E-1 was replaced by E-2 at minute 20: + 300 s + 15 min.
		{"edited twice", []StaleSource{defaults("E-1", hist)}, true, t0.Add(20*time.Minute + 20*time.Minute)},
		{"edited once", []StaleSource{defaults("E-2", hist)}, true, t0.Add(30*time.Minute + 20*time.Minute)},
		{"one of two versions current", []StaleSource{defaults("E-1", hist), defaults("E-3", hist)}, false, time.Time{}},
		{"version beyond the history: the current write", []StaleSource{defaults("E-0", hist)}, true, t0.Add(50 * time.Minute)},
		{"stale-timeout 0 and no fallback: at the edit",
			[]StaleSource{{Version: "E-2", Versions: hist}}, true, t0.Add(30 * time.Minute)},
		{"two tokens: latest edit, longest delay", []StaleSource{
			{Version: "E-1", Versions: hist, StaleTimeout: time.Minute},
			{Version: "A-1", Versions: []TokenVersion{v("A-2", 5), v("A-1", 1)}, FallbackPeriod: 10 * time.Minute},
		}, true, t0.Add(20*time.Minute + 10*time.Minute)},
		{"token gone: from the last activity", []StaleSource{{Version: "E-1", StaleTimeout: time.Minute}}, true, t0.Add(61 * time.Minute)},
	} {
		gcAt, stale := StaleDeadline(c.sources, t0.Add(time.Hour))
		if stale != c.stale || !gcAt.Equal(c.gcAt) {
			t.Errorf("%s: (%v, %v), want (%v, %v)", c.name, gcAt, stale, c.gcAt, c.stale)
		}
	}
}

// A stale service goes once idle past its stale deadline, even with
// idle-timeout-mins 0 (never idle), and not while a request is outstanding;
// a zero StaleAt (the edit was reverted) keeps it.
func TestStaleServiceRemovedAtDeadline(t *testing.T) {
	h := newHarness(t, Config{})
	d := mustDesc(t, Params{"idle-timeout-mins": 0.0})
	h.arrive(1, d)
	h.observe(d, 1, healthyAt("a", epoch))
	h.step(Event{Kind: EvServiceStale, Service: d.ID, Until: epoch.Add(time.Minute)})
	if acts := h.advanceBy(2 * time.Minute); len(only(acts, ActDeleteService)) != 0 {
		t.Fatal("stale service removed while a request was outstanding")
	}
	h.finish(1, OutcomeSuccess)
	h.step(Event{Kind: EvServiceStale, Service: d.ID}) // reverted
	if acts := h.advanceBy(time.Hour); len(only(acts, ActDeleteService)) != 0 {
		t.Fatal("service removed after its tokens were reverted")
	}
	h.step(Event{Kind: EvServiceStale, Service: d.ID, Until: h.now.Add(30 * time.Second)})
	if acts := h.advanceBy(29 * time.Second); len(only(acts, ActDeleteService)) != 0 {
		t.Fatal("stale service removed before its deadline")
	}
	acts := h.advanceBy(2 * time.Second)
	if dels := only(acts, ActDeleteService); len(dels) != 1 || dels[0].Service != d.ID {
		t.Fatalf("stale service not removed: %s", describe(acts))
	}
}
