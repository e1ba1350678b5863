package zookeeper_test

import (
	"context"
	"fmt"
	"os"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/waiter-go/waiter/adapters/zookeeper"
	"github.com/waiter-go/waiter/internal/leakcheck"
	"github.com/waiter-go/waiter/internal/zktest"
)

// zkServer is the one ZooKeeper the package's tests share (a JVM takes
// about a second to start); each test works under its own base path.
var zkServer *zktest.Cluster

func TestMain(m *testing.M) {
	began := time.Now()
	c, err := zktest.StartStandalone()
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	fmt.Fprintf(os.Stderr, "zookeeper tests: ZooKeeper started in %s\n", time.Since(began).Round(time.Millisecond))
	zkServer = c
	code := m.Run()
	_ = c.Close()
	os.Exit(leakcheck.After(code))
}

var basePaths atomic.Int64

// basePath is a fresh base path for one test.
func basePath(t *testing.T) string {
	name := strings.NewReplacer("/", "-", " ", "-").Replace(t.Name())
	return fmt.Sprintf("/test/%s-%d", name, basePaths.Add(1))
}

// dial opens a client on servers under base, closed when the test ends.
func dial(t *testing.T, servers []string, base string, timeout time.Duration) *zookeeper.Client {
	t.Helper()
	c, err := zookeeper.Dial(context.Background(), zookeeper.Config{Servers: servers, BasePath: base,
		SessionTimeout: timeout, ConnectTimeout: 20 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.Close)
	return c
}

// newStore opens a store on its own session.
func newStore(t *testing.T, servers []string, base string) *zookeeper.Store {
	t.Helper()
	s, err := zookeeper.NewStore(dial(t, servers, base, 4*time.Second), zookeeper.StoreOptions{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Close)
	return s
}

// eventually waits (up to 10 s: the machine may be busy) for check to hold.
func eventually(t *testing.T, what string, check func() bool) time.Duration {
	t.Helper()
	began := time.Now()
	deadline := began.Add(10 * time.Second)
	for !check() {
		if time.Now().After(deadline) {
			t.Fatalf("%s: not within 10s", what)
		}
		time.Sleep(2 * time.Millisecond)
	}
	return time.Since(began)
}
