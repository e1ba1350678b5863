package zookeeper_test

import (
	"context"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/waiter-go/waiter"
	"github.com/waiter-go/waiter/adapters/zookeeper"
)

// A router whose ZooKeeper is not there does not start: Dial says where
// it looked and for how long. Bad settings are refused before dialling.
func TestDialRefuses(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	_ = ln.Close() // nothing listens there now
	began := time.Now()
	_, err = zookeeper.Dial(context.Background(), zookeeper.Config{Servers: []string{addr}, ConnectTimeout: 500 * time.Millisecond})
	if err == nil || !strings.Contains(err.Error(), "no session with "+addr+" within 500ms") {
		t.Errorf("no ZooKeeper: %v", err)
	}
	if d := time.Since(began); d > 5*time.Second {
		t.Errorf("Dial took %s with a 500ms connect timeout", d)
	}
	for _, cfg := range []zookeeper.Config{
		{},
		{Servers: []string{addr}, BasePath: "relative"},
		{Servers: []string{addr}, BasePath: "/"},
	} {
		if _, err := zookeeper.Dial(context.Background(), cfg); err == nil {
			t.Errorf("Dial(%+v) accepted", cfg)
		}
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := zookeeper.Dial(ctx, zookeeper.Config{Servers: []string{addr}}); err == nil || !strings.Contains(err.Error(), "context canceled") {
		t.Errorf("cancelled Dial: %v", err)
	}
}

// Nested base paths are created; two stores on different base paths do
// not see each other's records.
func TestBasePathsAreSeparate(t *testing.T) {
	a := newStore(t, zkServer.Connect(), basePath(t)+"/deep/er")
	b := newStore(t, zkServer.Connect(), basePath(t))
	if _, _, err := a.PutToken("app", data("v1"), "", "alice", t0); err != nil {
		t.Fatal(err)
	}
	if l, err := b.ListTokens(waiter.TokenFilter{}); err != nil || len(l) != 0 {
		t.Errorf("another base path sees %v %v", l, err)
	}
}
