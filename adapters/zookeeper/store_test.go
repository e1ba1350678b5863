package zookeeper_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/go-zookeeper/zk"
	"github.com/waiter-go/waiter"
	"github.com/waiter-go/waiter/adapters/zookeeper"
	"github.com/waiter-go/waiter/internal/zktest"
)

var t0 = time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)

func data(version string) map[string]any {
	return map[string]any{"cmd": "kitchen", "cpus": 1.0, "mem": 64.0, "version": version}
}

// rawConn is a plain ZooKeeper client, to damage records behind the
// store's back.
func rawConn(t *testing.T, servers []string) *zk.Conn {
	t.Helper()
	conn, _, err := zk.Connect(servers, 4*time.Second, zk.WithLogInfo(false), zk.WithLogger(nopLogger{}))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(conn.Close)
	return conn
}

type nopLogger struct{}

func (nopLogger) Printf(string, ...any) {}

// Inputs ZooKeeper could not hold, or that are attacks, are refused
// with ErrInvalidTokenData (400) naming the bound.
func TestStoreBoundsInput(t *testing.T) {
	s := newStore(t, zkServer.Connect(), basePath(t))
	_, _, err := s.PutToken(strings.Repeat("n", zookeeper.MaxKeyBytes+1), data("v1"), "", "alice", t0)
	if !errors.Is(err, waiter.ErrInvalidTokenData) || !strings.Contains(err.Error(), "more than 512") {
		t.Errorf("long name: %v", err)
	}
	_, _, err = s.PutToken("big", map[string]any{"cmd": strings.Repeat("x", zookeeper.MaxTokenBytes)}, "", "alice", t0)
	if !errors.Is(err, waiter.ErrInvalidTokenData) || !strings.Contains(err.Error(), "ZooKeeper store keeps") {
		t.Errorf("big token: %v", err)
	}
	_, err = s.PutServiceDescription("s-1", map[string]any{"cmd": strings.Repeat("x", zookeeper.MaxRecordBytes)})
	if !errors.Is(err, waiter.ErrInvalidTokenData) {
		t.Errorf("big description: %v", err)
	}
	// A token near the bound keeps only the history that fits in one
	// ZooKeeper record, and is still written.
	big := func(v string) map[string]any {
		return map[string]any{"cmd": strings.Repeat(v, 300<<10)}
	}
	for _, v := range []string{"a", "b", "c", "d"} {
		if _, _, err := s.PutToken("near", big(v), "", "alice", t0); err != nil {
			t.Fatalf("300 KiB token: %v", err)
		}
	}
	h, err := s.TokenHistory("near")
	if err != nil || len(h) != 2 || h[0].Data["cmd"].(string)[0] != 'c' {
		t.Errorf("history of a 300 KiB token: %d versions, %v; want the 2 newest that fit", len(h), err)
	}
}

// A damaged token is never served: reads say which record and why,
// /status lists it, listings go on without it, and ReplaceDamagedToken
// repairs it.
func TestStoreDamagedToken(t *testing.T) {
	base := basePath(t)
	s := newStore(t, zkServer.Connect(), base)
	if _, _, err := s.PutToken("app", data("v1"), "", "alice", t0); err != nil {
		t.Fatal(err)
	}
	if _, _, err := s.PutToken("ok", data("v1"), "", "alice", t0); err != nil {
		t.Fatal(err)
	}
	if _, err := rawConn(t, zkServer.Connect()).Set(base+"/tokens/app", []byte("{not json"), -1); err != nil {
		t.Fatal(err)
	}
	var ce *waiter.CorruptRecordError
	eventually(t, "damage seen", func() bool {
		_, err := s.GetToken("app", false)
		return errors.As(err, &ce)
	})
	if ce.Record != `token "app"` {
		t.Errorf("record %q", ce.Record)
	}
	if h := s.StoreHealth(); h.Status != waiter.HealthDegraded || len(h.CorruptRecords) != 1 {
		t.Errorf("health %+v", h)
	}
	if l, err := s.ListTokens(waiter.TokenFilter{}); err != nil || len(l) != 1 || l[0].Name != "ok" {
		t.Errorf("list with a damaged token: %v %v", l, err)
	}
	if _, _, err := s.PutToken("app", data("v2"), "", "alice", t0); !errors.Is(err, waiter.ErrCorruptRecord) {
		t.Errorf("put over a damaged token: %v", err)
	}
	tok, res, err := s.ReplaceDamagedToken("app", data("v3"), "alice", t0)
	if err != nil || res != waiter.TokenUpdated || tok.Data["version"] != "v3" {
		t.Fatalf("repair: %v %v %v", tok, res, err)
	}
	if got, err := s.GetToken("app", false); err != nil || got.ETag != tok.ETag {
		t.Errorf("after repair: %v %v", got, err)
	}
	if h := s.StoreHealth(); h.Status != waiter.HealthOK {
		t.Errorf("health after repair %+v", h)
	}
}

// ZooKeeper stopped: known records are served from the cache, writes
// fail at once with ErrStoreUnavailable naming ZooKeeper, /status says
// so; ZooKeeper back: writes work and the cache follows changes again.
func TestStoreZooKeeperDown(t *testing.T) {
	zks := zktest.Standalone(t)
	base := "/waiter"
	s := newStore(t, zks.Connect(), base)
	peer := newStore(t, zks.Connect(), base)
	v1, _, err := s.PutToken("app", data("v1"), "", "alice", t0)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.SetSuspended("s-1", true, "alice", t0); err != nil {
		t.Fatal(err)
	}
	if _, err := s.GetSuspended("s-1"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.ListTokens(waiter.TokenFilter{}); err != nil {
		t.Fatal(err)
	}
	if err := zks.Servers[0].Stop(); err != nil {
		t.Fatal(err)
	}
	eventually(t, "store notices ZooKeeper went", func() bool { return s.StoreHealth().Status == waiter.HealthDegraded })
	began := time.Now()
	_, _, err = s.PutToken("app", data("v2"), v1.ETag, "alice", t0)
	if !errors.Is(err, waiter.ErrStoreUnavailable) || !strings.Contains(err.Error(), "ZooKeeper ("+zks.ConnectString()+") is unavailable") {
		t.Fatalf("write with ZooKeeper down: %v", err)
	}
	if d := time.Since(began); d > time.Second {
		t.Errorf("a write with ZooKeeper down took %s to fail", d)
	}
	if got, err := s.GetToken("app", false); err != nil || got.ETag != v1.ETag {
		t.Errorf("known token with ZooKeeper down: %v %v", got, err)
	}
	if l, err := s.ListTokens(waiter.TokenFilter{}); err != nil || len(l) != 1 {
		t.Errorf("known listing with ZooKeeper down: %v %v", l, err)
	}
	if c, err := s.GetSuspended("s-1"); err != nil || !c.Suspended {
		t.Errorf("known suspension with ZooKeeper down: %v %v", c, err)
	}
	if _, err := s.GetToken("unknown", false); !errors.Is(err, waiter.ErrStoreUnavailable) {
		t.Errorf("unknown token with ZooKeeper down: %v", err)
	}
	if h := s.StoreHealth(); !strings.Contains(h.WriteFailure, "ZooKeeper") {
		t.Errorf("health while down: %+v", h)
	}
	if err := zks.Servers[0].Restart(); err != nil {
		t.Fatal(err)
	}
	var v2 waiter.Token
	eventually(t, "writes work again", func() bool {
		v2, _, err = s.PutToken("app", data("v2"), v1.ETag, "alice", t0)
		return err == nil
	})
	eventually(t, "the peer sees the write", func() bool {
		got, err := peer.GetToken("app", false)
		return err == nil && got.ETag == v2.ETag
	})
	if h := s.StoreHealth(); h.Status != waiter.HealthOK {
		t.Errorf("health after ZooKeeper came back: %+v", h)
	}
}

// The session expires (a partition longer than the session timeout):
// the client opens a new one, and the cache, whose watches went with
// the old session, reads again and follows changes.
func TestStoreSessionExpiry(t *testing.T) {
	proxy := zktest.NewProxy(t, zkServer.Connect()[0])
	base := basePath(t)
	c := dial(t, []string{proxy.Addr()}, base, time.Second)
	s, err := zookeeper.NewStore(c, zookeeper.StoreOptions{})
	if err != nil {
		t.Fatal(err)
	}
	peer := newStore(t, zkServer.Connect(), base)
	// Registrations on both sessions show when ZooKeeper expires the
	// cut-off one: its ephemeral znode goes.
	cut, err := zookeeper.NewMembership(c, zookeeper.MembershipOptions{Self: waiter.RouterInfo{ID: "cut"}})
	if err != nil {
		t.Fatal(err)
	}
	zktest.CloseOnCleanup(t, cut)
	watcher, _ := join(t, zkServer.Connect(), base, "watcher", 1, 4*time.Second)
	eventually(t, "both registered", func() bool { return ids(watcher.Routers()) == "cut watcher " })
	v1, _, err := peer.PutToken("app", data("v1"), "", "alice", t0)
	if err != nil {
		t.Fatal(err)
	}
	if got, err := s.GetToken("app", false); err != nil || got.ETag != v1.ETag {
		t.Fatalf("before: %v %v", got, err)
	}
	before := c.SessionID()
	proxy.Cut()
	// Meanwhile the token changes; the cut-off store still serves v1.
	v2, _, err := peer.PutToken("app", data("v2"), "", "alice", t0)
	if err != nil {
		t.Fatal(err)
	}
	if got, err := s.GetToken("app", false); err != nil || got.ETag != v1.ETag {
		t.Errorf("cut off: %v %v, want the cached v1", got, err)
	}
	eventually(t, "ZooKeeper expires the cut-off session", func() bool { return ids(watcher.Routers()) == "watcher " })
	proxy.Heal()
	eventually(t, "a new session", func() bool { return c.Connected() && c.SessionID() != before })
	eventually(t, "v2 read after expiry", func() bool {
		got, err := s.GetToken("app", false)
		return err == nil && got.ETag == v2.ETag
	})
	v3, _, err := peer.PutToken("app", data("v3"), "", "alice", t0)
	if err != nil {
		t.Fatal(err)
	}
	eventually(t, "v3 followed by the new session's watch", func() bool {
		got, err := s.GetToken("app", false)
		return err == nil && got.ETag == v3.ETag
	})
}

// OnServiceChange hears of every change to a service's overrides or
// suspension that another router makes, including after this router
// wrote them itself (its own write fired the watch its read had set).
func TestStoreReportsServiceChanges(t *testing.T) {
	base := basePath(t)
	s := newStore(t, zkServer.Connect(), base)
	peer := newStore(t, zkServer.Connect(), base)
	changed := make(chan string, 100)
	s.OnServiceChange(func(id string) { changed <- id })
	expect := func(what, id string) {
		t.Helper()
		deadline := time.After(5 * time.Second)
		for {
			select {
			case got := <-changed:
				if got == id {
					return
				}
			case <-deadline:
				t.Fatalf("%s: no change reported for %q", what, id)
			}
		}
	}
	if _, err := s.GetSuspended("s-1"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.GetOverride("s-1"); err != nil {
		t.Fatal(err)
	}
	if err := peer.SetSuspended("s-1", true, "bob", t0); err != nil {
		t.Fatal(err)
	}
	expect("a peer suspends", "s-1")
	if err := s.SetSuspended("s-1", false, "alice", t0); err != nil {
		t.Fatal(err)
	}
	for len(changed) > 0 {
		<-changed
	}
	if err := peer.SetSuspended("s-1", true, "bob", t0); err != nil {
		t.Fatal(err)
	}
	expect("a peer suspends after this router resumed", "s-1")
	if err := peer.PutOverride("s-1", map[string]any{"min-instances": 2.0}, "bob", t0); err != nil {
		t.Fatal(err)
	}
	expect("a peer overrides", "s-1")
	if c, err := s.GetOverride("s-1"); err != nil || c.Overrides["min-instances"] != 2.0 {
		t.Errorf("override read after the change: %v %v", c, err)
	}
}

// Listing every description (a router's start) finds what another
// router stored, sorted, with ids kept as given.
func TestStoreListsDescriptions(t *testing.T) {
	base := basePath(t)
	s := newStore(t, zkServer.Connect(), base)
	peer := newStore(t, zkServer.Connect(), base)
	for _, id := range []string{"s-2", "s-1", "s/3"} {
		if _, err := peer.PutServiceDescription(id, map[string]any{"cmd": id}); err != nil {
			t.Fatal(err)
		}
	}
	list, err := s.ListServiceDescriptions()
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, d := range list {
		if d.Description["cmd"] != d.ID {
			t.Errorf("%s: %v", d.ID, d.Description)
		}
		got = append(got, d.ID)
	}
	if strings.Join(got, " ") != "s-1 s-2 s/3" {
		t.Errorf("listed %v", got)
	}
	if err := peer.DeleteServiceDescription("s-1"); err != nil {
		t.Fatal(err)
	}
	if err := peer.DeleteServiceDescription("s-1"); !errors.Is(err, waiter.ErrServiceNotFound) {
		t.Errorf("deleting it again: %v", err)
	}
	if list, _ := s.ListServiceDescriptions(); len(list) != 2 {
		t.Errorf("after a delete: %v", list)
	}
}
