package peers

import (
	"bytes"
	"context"
	"errors"
	"net/http"
	"testing"

	"github.com/waiter-go/waiter/engine"
)

func TestAskEject(t *testing.T) {
	a, b, c := startNode(t, "a", "", testSecret), startNode(t, "b", "", testSecret), startNode(t, "c", "", testSecret)
	join(a, b, c)
	ctx := context.Background()
	if err := a.net.AskEject(ctx, "s1", "i1", "prepare-to-kill"); err != nil {
		t.Fatalf("nobody uses i1: %v", err)
	}
	for _, n := range []*node{b, c} {
		if n.local.ejected["i1"] != "a" {
			t.Fatalf("%s ejected %v", n.id, n.local.ejected)
		}
	}
	// c uses i2: 423, a veto.
	c.local.inUse["i2"] = true
	err := a.net.AskEject(ctx, "s1", "i2", "prepare-to-kill")
	if !errors.Is(err, ErrInUse) {
		t.Fatalf("c uses i2: %v; want ErrInUse", err)
	}
	// An unreachable peer vetoes too: it may be using the instance.
	c.stop()
	if err := a.net.AskEject(ctx, "s1", "i3", "prepare-to-kill"); !errors.Is(err, ErrUnreachable) {
		t.Fatalf("c down: %v; want ErrUnreachable", err)
	}
}

func TestEjectEndpointAnswers(t *testing.T) {
	a, b := startNode(t, "a", "", testSecret), startNode(t, "b", "", testSecret)
	join(a, b)
	b.local.inUse["busy"] = true
	for _, tc := range []struct {
		body   any
		status int
	}{
		{ejectRequest{Service: "s", Instance: "free", Reason: "killed"}, 200},
		{ejectRequest{Service: "s", Instance: "busy"}, http.StatusLocked},
		{ejectRequest{Service: "s"}, 400},
		{map[string]any{"bogus": 1}, 400},
	} {
		status, body, err := a.net.call(context.Background(), b.info(), "POST", PathEject, nil, tc.body)
		if err != nil || status != tc.status {
			t.Errorf("%+v: %d %s %v; want %d", tc.body, status, body, err, tc.status)
		}
	}
	// Without a signature: 401, and nothing ejected.
	resp, err := http.Post("http://"+b.addr+PathEject, "application/json",
		bytes.NewReader([]byte(`{"service-id":"s","instance-id":"other"}`)))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusUnauthorized || b.local.ejected["other"] != "" {
		t.Fatalf("unsigned eject: %d, ejected %v", resp.StatusCode, b.local.ejected)
	}
}

func TestKillCandidate(t *testing.T) {
	a, b, c := startNode(t, "a", "", testSecret), startNode(t, "b", "", testSecret), startNode(t, "c", "", testSecret)
	join(a, b, c)
	c.local.killable["s1"] = "i7"
	inst, err := a.net.AskKillCandidate(context.Background(), "c", "s1")
	if err != nil || inst != "i7" {
		t.Fatalf("AskKillCandidate(c) = %q %v; want i7", inst, err)
	}
	if _, err := a.net.AskKillCandidate(context.Background(), "b", "s1"); !errors.Is(err, ErrNothingToKill) {
		t.Fatalf("b has none: %v", err)
	}
	if _, err := a.net.AskKillCandidate(context.Background(), "zz", "s1"); !errors.Is(err, ErrUnreachable) {
		t.Fatalf("not a member: %v", err)
	}
}

func TestSlotOfferAndRelease(t *testing.T) {
	a, b := startNode(t, "a", "", testSecret), startNode(t, "b", "", testSecret)
	join(a, b)
	ctx := context.Background()
	if err := a.net.OfferSlot(ctx, "b", "s1", "i1"); err != nil {
		t.Fatal(err)
	}
	if err := b.net.ReleaseSlot(ctx, "a", "s1", "i1", engine.OutcomeInstanceBusy); err != nil {
		t.Fatal(err)
	}
	if len(b.local.offered) != 1 || b.local.offered[0] != "a s1 i1" {
		t.Fatalf("b was offered %v", b.local.offered)
	}
	if len(a.local.released) != 1 || a.local.released[0] != "b s1 i1 instance-busy" {
		t.Fatalf("a got back %v", a.local.released)
	}
	status, _, err := a.net.call(ctx, b.info(), "POST", PathRelease, nil, slotMessage{Service: "s", Instance: "i", Outcome: "bogus"})
	if err != nil || status != 400 {
		t.Fatalf("unknown outcome: %d %v", status, err)
	}
}

func TestFanOut(t *testing.T) {
	a, b, c := startNode(t, "a", "", testSecret), startNode(t, "b", "", testSecret), startNode(t, "c", "", testSecret)
	join(a, b, c)
	b.local.setCounters(engine.ServiceCounters{Service: "s1", Outstanding: 4, SlotsInUse: 3})
	b.local.known["s1"] = true
	got, errs := a.net.PeerServiceCounters(context.Background(), "s1")
	if len(got) != 1 || got["b"].Outstanding != 4 || got["b"].SlotsInUse != 3 || len(errs) != 0 {
		t.Fatalf("PeerServiceCounters = %+v, %v", got, errs)
	}
	knowing, err := a.net.PeersKnowing(context.Background(), "s1")
	if err != nil || len(knowing) != 1 || knowing[0] != "b" {
		t.Fatalf("PeersKnowing = %v, %v", knowing, err)
	}
	// A peer gone: PeersKnowing cannot say the service is gone everywhere.
	c.stop()
	if _, err := a.net.PeersKnowing(context.Background(), "s1"); !errors.Is(err, ErrUnreachable) {
		t.Fatalf("c down: %v", err)
	}
	if _, errs := a.net.PeerServiceCounters(context.Background(), "s1"); !errors.Is(errs["c"], ErrUnreachable) {
		t.Fatalf("c down: %v", errs)
	}
}
