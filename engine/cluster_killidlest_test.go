package engine

import (
	"testing"
	"time"

	"pgregory.net/rapid"
)

// killIdlestHarness is leader r1 of three routers with six idle healthy
// instances of a service of concurrency 2 under scheme (with "simple" r1
// owns i2, i5 and i6: 6 free slots, see TestDistributeSlotsGolden), a
// scale-down wanted at every pass.
func killIdlestHarness(t *testing.T, scheme string) (*harness, *Description) {
	t.Helper()
	h := clusterHarness(t, "r1", true, Config{})
	d := mustDesc(t, Params{"scale-down-factor": 0.999, "concurrency-level": 2.0, "distribution-scheme": scheme})
	h.step(Event{Kind: EvStartService, Service: d.ID, Description: d})
	h.observe(d, 6, sixInstances()...)
	return h, d
}

// peerCounters delivers a fresh counters report of peer with free
// available slots of d.
func peerCounters(h *harness, d *Description, peer string, free int) {
	h.step(Event{Kind: EvPeerCounters, Peer: &PeerCounters{Router: peer, At: h.now,
		Services: []ServiceCounters{{Service: d.ID, SlotsAvailable: free, LastRequest: h.now}}}})
}

// firstKillMove advances until the leader's first scale-down move (an
// ask-eject of its own instance or a delegation), keeping r2's counters
// fresh, and returns the actions of that pass.
func firstKillMove(t *testing.T, h *harness, d *Description, peerFree int) []Action {
	t.Helper()
	for range 5 {
		peerCounters(h, d, "r2", peerFree)
		acts := h.advance(time.Second)
		if len(only(acts, ActAskEject))+len(only(acts, ActDelegateKill)) > 0 {
			return acts
		}
	}
	t.Fatalf("no scale-down move in 5 s: %s", describe(h.log))
	return nil
}

// TestClusterKillIdlestSimple: with "simple" (slots stay with the router
// HRW gives them to) the leader delegates a scale-down to a peer with more
// available slots than its own rather than kill its own idle instance;
// with fewer, or with "balanced" (slots dealt again after each kill), it
// kills its own as Waiter does.
func TestClusterKillIdlestSimple(t *testing.T) {
	own := map[string]bool{"i2": true, "i5": true, "i6": true}
	for _, tc := range []struct {
		name     string
		scheme   string
		peerFree int
		delegate bool
	}{
		{"simple, peer idler", SchemeSimple, 8, true},
		{"simple, peer as idle", SchemeSimple, 6, false},
		{"simple, peer busier", SchemeSimple, 2, false},
		{"balanced, peer idler", SchemeBalanced, 100, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h, d := killIdlestHarness(t, tc.scheme)
			acts := firstKillMove(t, h, d, tc.peerFree)
			del, asks := only(acts, ActDelegateKill), only(acts, ActAskEject)
			if tc.delegate {
				if len(del) != 1 || del[0].Router != "r2" || len(asks) != 0 {
					t.Fatalf("want a delegation to r2, got %s", describe(acts))
				}
				return
			}
			if len(del) != 0 || len(asks) != 1 {
				t.Fatalf("want the leader's own instance asked, got %s", describe(acts))
			}
			if tc.scheme == SchemeSimple && !own[asks[0].Instance] {
				t.Fatalf("asked to eject %s, which r1 does not own", asks[0].Instance)
			}
		})
	}
}

// TestClusterKillIdlestPeerEmptyHanded: a peer that answers a delegation
// with no instance (or does not answer) makes the next kill the leader's
// own, so a scale-down does not stall on peers with nothing idle; a kill
// then lets the next choice delegate again.
func TestClusterKillIdlestPeerEmptyHanded(t *testing.T) {
	for _, lost := range []bool{false, true} {
		h, d := killIdlestHarness(t, SchemeSimple)
		acts := firstKillMove(t, h, d, 8)
		if len(only(acts, ActDelegateKill)) != 1 {
			t.Fatalf("want a delegation first, got %s", describe(acts))
		}
		if !lost {
			h.step(Event{Kind: EvKillCandidate, Service: d.ID, Router: "r2"}) // nothing idle there
		}
		acts = firstKillMove(t, h, d, 8)
		asks := only(acts, ActAskEject)
		if len(asks) != 1 || len(only(acts, ActDelegateKill)) != 0 {
			t.Fatalf("lost=%v: want the leader's own instance after the empty answer, got %s", lost, describe(acts))
		}
		acts = h.step(Event{Kind: EvEjectResult, Service: d.ID, Instance: asks[0].Instance})
		if len(only(acts, ActKillInstance)) != 1 {
			t.Fatalf("want the kill, got %s", describe(acts))
		}
		h.step(Event{Kind: EvKillResult, Service: d.ID, Instance: asks[0].Instance})
		if acts = firstKillMove(t, h, d, 8); len(only(acts, ActDelegateKill)) != 1 {
			t.Fatalf("lost=%v: after a kill the idler peer is asked again, got %s", lost, describe(acts))
		}
	}
}

// TestClusterKillIdlestProperties: whatever the peer reports, the
// leader's first scale-down move delegates exactly when the service is
// "simple" and the peer has more available slots than the leader's 6, and
// an ejection it asks for is of an instance it owns under "simple".
func TestClusterKillIdlestProperties(t *testing.T) {
	own := map[string]bool{"i2": true, "i5": true, "i6": true}
	rapid.Check(t, func(rt *rapid.T) {
		scheme := rapid.SampledFrom([]string{SchemeSimple, SchemeBalanced}).Draw(rt, "scheme")
		peerFree := rapid.IntRange(0, 20).Draw(rt, "peer-free")
		h, d := killIdlestHarness(t, scheme)
		acts := firstKillMove(t, h, d, peerFree)
		del, asks := only(acts, ActDelegateKill), only(acts, ActAskEject)
		if want := scheme == SchemeSimple && peerFree > 6; (len(del) == 1) != want || len(del)+len(asks) != 1 {
			rt.Fatalf("%s, peer free %d: delegation %v, want %v (%s)", scheme, peerFree, len(del) == 1, want, describe(acts))
		}
		if len(asks) == 1 && scheme == SchemeSimple && !own[asks[0].Instance] {
			rt.Fatalf("asked to eject %s, which r1 does not own", asks[0].Instance)
		}
	})
}
