package zookeeper_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/waiter-go/waiter"
	"github.com/waiter-go/waiter/adapters/zookeeper"
	"github.com/waiter-go/waiter/internal/zktest"
)

// join registers a router on its own session.
func join(t *testing.T, servers []string, base, id string, min int, timeout time.Duration) (*zookeeper.Membership, *zookeeper.Client) {
	t.Helper()
	c := dial(t, servers, base, timeout)
	m, err := zookeeper.NewMembership(c, zookeeper.MembershipOptions{
		Self: waiter.RouterInfo{ID: id, URL: "http://127.0.0.1:1/" + id}, MinRouters: min, RetryInterval: 50 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	zktest.CloseOnCleanup(t, m)
	return m, c
}

func ids(rs []waiter.RouterInfo) string {
	out := ""
	for _, r := range rs {
		out += r.ID + " "
	}
	return out
}

// leaders returns the ids of the members that say they lead.
func leaders(ms ...*zookeeper.Membership) []string {
	var out []string
	for _, m := range ms {
		if m.Leader() {
			out = append(out, m.Self().ID)
		}
	}
	return out
}

// Three routers see each other; the first to register leads and every
// router names it; min-routers holds the leader back until enough are
// alive; when the leader leaves, the next one leads within moments, and
// the others' Changed fires.
func TestMembershipListAndElection(t *testing.T) {
	base := basePath(t)
	srv := zkServer.Connect()
	a, _ := join(t, srv, base, "a", 2, 4*time.Second)
	if got := ids(a.Routers()); got != "a " {
		t.Fatalf("alone: %q", got)
	}
	if a.Leader() || a.LeaderID() != "a" {
		t.Errorf("alone with min-routers 2: leader %v, leader id %q; want held back, id a", a.Leader(), a.LeaderID())
	}
	c, _ := join(t, srv, base, "c", 2, 4*time.Second)
	b, _ := join(t, srv, base, "b", 2, 4*time.Second)
	for _, m := range []*zookeeper.Membership{a, b, c} {
		eventually(t, m.Self().ID+" sees three routers", func() bool { return ids(m.Routers()) == "a b c " })
		if m.LeaderID() != "a" {
			t.Errorf("%s says the leader is %q", m.Self().ID, m.LeaderID())
		}
	}
	eventually(t, "a leads once two routers are alive", func() bool { return a.Leader() })
	if l := leaders(a, b, c); len(l) != 1 {
		t.Fatalf("leaders %v, want exactly a", l)
	}
	drain := func(m *zookeeper.Membership) {
		for {
			select {
			case <-m.Changed():
			default:
				return
			}
		}
	}
	drain(b)
	drain(c)
	began := time.Now()
	if err := a.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
	// c registered before b: c is next.
	took := eventually(t, "c leads after a left", func() bool { return c.Leader() })
	t.Logf("leader failover after the leader's session closed: %s", time.Since(began).Round(time.Millisecond))
	if took > time.Second {
		t.Errorf("failover took %s; a closed session's znode goes at once", took)
	}
	select {
	case <-b.Changed():
	case <-time.After(2 * time.Second):
		t.Error("b's Changed did not fire when the leader left")
	}
	eventually(t, "b sees the leader change", func() bool { return b.LeaderID() == "c" && ids(b.Routers()) == "b c " })
	if l := leaders(b, c); len(l) != 1 || l[0] != "c" {
		t.Errorf("leaders %v, want c", l)
	}
	// Down to one router: below min-routers, c stops leading.
	if err := b.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
	eventually(t, "c alone is below min-routers", func() bool { return !c.Leader() && ids(c.Routers()) == "c " })
}

// The leader is cut off from ZooKeeper (as a crashed or partitioned
// router is): it stops leading at once, and when ZooKeeper expires its
// session the next router leads, within the session timeout. When the
// connection heals, the old leader's client opens a new session and the
// router registers again, now behind the new leader.
func TestMembershipSessionExpiry(t *testing.T) {
	const session = time.Second
	base := basePath(t)
	srv := zkServer.Connect()
	proxy := zktest.NewProxy(t, srv[0])
	a, ca := join(t, []string{proxy.Addr()}, base, "a", 1, session)
	b, _ := join(t, srv, base, "b", 1, session)
	eventually(t, "a leads", func() bool { return a.Leader() && ids(b.Routers()) == "a b " })
	oldSession := ca.SessionID()
	began := time.Now()
	proxy.Cut()
	eventually(t, "a steps down when cut off", func() bool { return !a.Leader() })
	eventually(t, "b leads after a's session expired", func() bool { return b.Leader() })
	failover := time.Since(began)
	t.Logf("leader failover after the leader was cut off (session timeout %s): %s", session, failover.Round(time.Millisecond))
	// ZooKeeper notices a dead session between one and two timeouts.
	if failover > 2*session+2*time.Second {
		t.Errorf("failover took %s with a %s session timeout", failover, session)
	}
	if got := ids(b.Routers()); got != "b " {
		t.Errorf("b's list while a is cut off: %q", got)
	}
	proxy.Heal()
	eventually(t, "a has a new session", func() bool { return ca.Connected() && ca.SessionID() != oldSession })
	eventually(t, "a registered again", func() bool { return ids(a.Routers()) == "a b " && ids(b.Routers()) == "a b " })
	eventually(t, "both name b the leader", func() bool { return a.LeaderID() == "b" && b.LeaderID() == "b" })
	if l := leaders(a, b); len(l) != 1 || l[0] != "b" {
		t.Errorf("leaders %v, want b", l)
	}
}

// Bad registrations are refused before they reach ZooKeeper.
func TestMembershipBoundsInput(t *testing.T) {
	c := dial(t, zkServer.Connect(), basePath(t), 4*time.Second)
	for _, self := range []waiter.RouterInfo{{ID: ""}, {ID: fmt.Sprintf("%0300d", 1)}, {ID: "a", URL: fmt.Sprintf("%03000d", 1)}} {
		if _, err := zookeeper.NewMembership(c, zookeeper.MembershipOptions{Self: self}); err == nil {
			t.Errorf("registered %q (%d-byte URL)", self.ID, len(self.URL))
		}
	}
}
