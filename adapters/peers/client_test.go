package peers

import (
	"bytes"
	"context"
	"errors"
	"net/http"
	"testing"
	"time"

	"github.com/waiter-go/waiter/engine"
)

func TestAskEject(t *testing.T) {
	a, b, c := startNode(t, "a", "", testSecret), startNode(t, "b", "", testSecret), startNode(t, "c", "", testSecret)
	join(a, b, c)
	ctx := context.Background()
	if err := a.net.AskEject(ctx, "s1", "i1", 10*time.Second, "prepare-to-kill"); err != nil {
		t.Fatalf("nobody uses i1: %v", err)
	}
	for _, n := range []*node{b, c} {
		if n.local.ejected["i1"] != 10*time.Second {
			t.Fatalf("%s ejected %v", n.id, n.local.ejected)
		}
	}
	// c uses i2: 423, a veto.
	c.local.inUse["i2"] = true
	err := a.net.AskEject(ctx, "s1", "i2", 10*time.Second, "prepare-to-kill")
	if !errors.Is(err, ErrInUse) {
		t.Fatalf("c uses i2: %v; want ErrInUse", err)
	}
	// An unreachable peer vetoes too: it may be using the instance.
	c.stop()
	if err := a.net.AskEject(ctx, "s1", "i3", time.Second, "prepare-to-kill"); !errors.Is(err, ErrUnreachable) {
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
		{ejectRequest{Service: "s", Instance: "free", PeriodMS: 1000, Reason: "killed"}, 200},
		{ejectRequest{Service: "s", Instance: "busy", PeriodMS: 1000}, http.StatusLocked},
		{ejectRequest{Service: "s", Instance: "x"}, 400},
		{map[string]any{"bogus": 1}, 400},
	} {
		status, body, err := a.net.call(context.Background(), b.info(), "POST", PathEject, nil, tc.body)
		if err != nil || status != tc.status {
			t.Errorf("%+v: %d %s %v; want %d", tc.body, status, body, err, tc.status)
		}
	}
	// Without a signature: 401, and nothing ejected.
	resp, err := http.Post("http://"+b.addr+PathEject, "application/json",
		bytes.NewReader([]byte(`{"service-id":"s","instance-id":"other","period-in-ms":1000}`)))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusUnauthorized || b.local.ejected["other"] != 0 {
		t.Fatalf("unsigned eject: %d, ejected %v", resp.StatusCode, b.local.ejected)
	}
}

func TestDelegateKill(t *testing.T) {
	a, b, c := startNode(t, "a", "", testSecret), startNode(t, "b", "", testSecret), startNode(t, "c", "", testSecret)
	join(a, b, c)
	c.local.killable["s1"] = "i7"
	router, inst, err := a.net.DelegateKill(context.Background(), "s1")
	if err != nil || router != "c" || inst != "i7" {
		t.Fatalf("DelegateKill = %q %q %v; want c i7", router, inst, err)
	}
	if _, _, err := a.net.DelegateKill(context.Background(), "s1"); !errors.Is(err, ErrNothingToKill) {
		t.Fatalf("nothing left: %v", err)
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
