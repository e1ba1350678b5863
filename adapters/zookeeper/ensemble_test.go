package zookeeper_test

import (
	"testing"
	"time"

	"github.com/waiter-go/waiter"
	"github.com/waiter-go/waiter/internal/zktest"
)

// A 3-server ensemble loses the server the routers are connected to
// (kill -9): the clients move to another server within the session
// timeout, keeping their sessions, so the routers' registrations and the
// leader stay; reads and writes go on, and the routers still see each
// other's writes.
func TestEnsembleOneServerKilled(t *testing.T) {
	zks := zktest.Ensemble(t)
	const session = 4 * time.Second
	base := "/waiter"
	a, ca := join(t, zks.Connect(), base, "a", 2, session)
	b, _ := join(t, zks.Connect(), base, "b", 2, session)
	sa := newStore(t, zks.Connect(), base)
	sb := newStore(t, zks.Connect(), base)
	eventually(t, "a leads two routers", func() bool { return a.Leader() && ids(b.Routers()) == "a b " })
	v1, _, err := sa.PutToken("app", data("v1"), "", "alice", t0)
	if err != nil {
		t.Fatal(err)
	}
	eventually(t, "b's store sees v1", func() bool { got, err := sb.GetToken("app", false); return err == nil && got.ETag == v1.ETag })

	// Kill the server the leader is connected to.
	victim := ca.Server()
	sessionBefore := ca.SessionID()
	killed := false
	for _, s := range zks.Servers {
		if s.Addr() == victim {
			if err := s.Kill(); err != nil {
				t.Fatal(err)
			}
			killed = true
		}
	}
	if !killed {
		t.Fatalf("the leader's server %q is not in the ensemble %v", victim, zks.Connect())
	}
	began := time.Now()
	var v2 waiter.Token
	eventually(t, "writes go on", func() bool {
		v2, _, err = sa.PutToken("app", data("v2"), v1.ETag, "alice", t0)
		return err == nil
	})
	eventually(t, "a leads again on another server", func() bool { return a.Leader() && ca.Server() != victim })
	t.Logf("one of three servers killed: writes and leadership back after %s", time.Since(began).Round(time.Millisecond))
	if ca.SessionID() != sessionBefore {
		t.Errorf("the leader's session changed: %x -> %x; it should survive the move", sessionBefore, ca.SessionID())
	}
	eventually(t, "b's store sees v2", func() bool { got, err := sb.GetToken("app", false); return err == nil && got.ETag == v2.ETag })
	for _, m := range []string{ids(a.Routers()), ids(b.Routers())} {
		if m != "a b " {
			t.Errorf("routers %q, want a and b still", m)
		}
	}
	if a.LeaderID() != "a" || b.LeaderID() != "a" || b.Leader() {
		t.Errorf("leader ids %q %q, b leads %v: want a still", a.LeaderID(), b.LeaderID(), b.Leader())
	}
}
