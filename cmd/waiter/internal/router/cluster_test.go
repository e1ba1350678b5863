package router

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"sync"
	"testing"
	"time"

	"github.com/waiter-go/waiter"
	"github.com/waiter-go/waiter/engine"
	"github.com/waiter-go/waiter/internal/clustertest"
)

// fakePeers records what the driver asks of its peers.
type fakePeers struct {
	mu    sync.Mutex
	calls []string
	done  chan struct{}
	err   error
}

func (f *fakePeers) note(s string) error {
	f.mu.Lock()
	f.calls = append(f.calls, s)
	f.mu.Unlock()
	select {
	case f.done <- struct{}{}:
	default:
	}
	return f.err
}

func (f *fakePeers) AskEject(_ context.Context, service, instance, reason string) error {
	return f.note("eject " + service + " " + instance + " " + reason)
}
func (f *fakePeers) AskKillCandidate(_ context.Context, router, service string) (string, error) {
	return "i9", f.note("candidate " + router + " " + service)
}
func (f *fakePeers) OfferSlot(_ context.Context, router, service, instance string) error {
	return f.note("offer " + router + " " + service + " " + instance)
}
func (f *fakePeers) ReleaseSlot(_ context.Context, router, service, instance string, o engine.Outcome) error {
	return f.note("release " + router + " " + service + " " + instance + " " + o.String())
}
func (f *fakePeers) PeerServiceCounters(context.Context, string) (map[string]engine.ServiceCounters, map[string]error) {
	return nil, nil
}
func (f *fakePeers) PeersKnowing(context.Context, string) ([]string, error) { return nil, nil }

func (f *fakePeers) wait(t *testing.T, n int) []string {
	t.Helper()
	deadline := time.After(10 * time.Second)
	for {
		f.mu.Lock()
		got := append([]string(nil), f.calls...)
		f.mu.Unlock()
		if len(got) >= n {
			return got
		}
		select {
		case <-f.done:
		case <-deadline:
			t.Fatalf("peer calls %v, want %d", got, n)
		}
	}
}

// The engine's inter-router actions reach the peer it names, with what
// it says; a call that fails comes back to the engine.
func TestPeerActionsReachPeers(t *testing.T) {
	fp := &fakePeers{done: make(chan struct{}, 8), err: errors.New("peer down")}
	mem := clustertest.New(waiter.RouterInfo{ID: "r1", URL: "http://127.0.0.1:1"})
	mem.Set([]waiter.RouterInfo{{ID: "r2", URL: "http://127.0.0.1:2"}}, "r1")
	h := newHarnessWith(t, nil, func(c *Config) {
		c.Engine.RouterID = "r1"
		c.Membership, c.Peers = mem, fp
	})
	for _, a := range []engine.Action{
		{Kind: engine.ActDelegateKill, Router: "r2", Service: "s1"},
		{Kind: engine.ActOfferSlot, Router: "r2", Service: "s1", Instance: "i1"},
		{Kind: engine.ActReleaseSlot, Router: "r2", Service: "s1", Instance: "i2", Outcome: engine.OutcomeInstanceBusy},
		{Kind: engine.ActAskEject, Service: "s1", Instance: "i3"},
	} {
		h.d.do(func() { h.d.peerAction(a) })
	}
	calls := fp.wait(t, 4)
	sort.Strings(calls)
	got := fmt.Sprint(calls)
	want := "[candidate r2 s1 eject s1 i3 prepare-to-kill offer r2 s1 i1 release r2 s1 i2 instance-busy]"
	if got != want {
		t.Fatalf("peer calls %s, want %s", got, want)
	}
	// /state names the cluster this router is in, as the membership says.
	eventually(t, func() bool {
		c := h.d.State().(map[string]any)["cluster"].(map[string]any)
		return fmt.Sprint(c["routers"]) == "[r1 r2]" && c["leader-id"] == "r1"
	})
}

// A router in a cluster without a peer network vetoes its own kills: it
// cannot ask whether a peer uses the instance.
func TestAskEjectWithoutPeersVetoes(t *testing.T) {
	h := newHarness(t)
	var answered []engine.Event
	h.d.do(func() {
		h.d.askEject(engine.Action{Kind: engine.ActAskEject, Service: "s1", Instance: "i1"})
		answered = append(answered, h.d.pending...)
	})
	if len(answered) != 1 || answered[0].Kind != engine.EvEjectResult || !errors.Is(answered[0].Err, errNoPeers) {
		t.Fatalf("queued %+v, want one EvEjectResult with errNoPeers", answered)
	}
}

func eventually(t *testing.T, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatal("condition not met within 10 s")
		}
		time.Sleep(5 * time.Millisecond)
	}
}
