package serve

import (
	"context"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/waiter-go/waiter/cmd/waiter/internal/config"
	"github.com/waiter-go/waiter/cmd/waiter/internal/fakesched"
	"github.com/waiter-go/waiter/engine"
	"github.com/waiter-go/waiter/internal/zktest"
)

// peerRouter is clusterRouter over a scheduler the routers share, as the
// routers of one cluster share their Marathon.
func peerRouter(t *testing.T, zk *zktest.Cluster, id string, shared *fakesched.Scheduler) *testRouter {
	t.Helper()
	secret := filepath.Join(t.TempDir(), "cluster-secret")
	if err := os.WriteFile(secret, []byte(testClusterSecret), 0o600); err != nil {
		t.Fatal(err)
	}
	return startRouterWrapped(t, nil, func(*fakesched.Scheduler) engine.Scheduler { return shared }, func(c *config.Config) {
		c.Cluster = config.ClusterZooKeeper
		c.ClusterSecretFile = secret
		c.ZKConnect = zk.ConnectString()
		c.ZKBasePath = "/waiter-peers-test"
		c.ZKSessionTimeout = 2 * time.Second
		c.RouterID = id
		// Each router learns from the scheduler that a service is gone.
		c.PollInterval = 100 * time.Millisecond
	})
}

// Two `waiter serve` on one ZooKeeper and one scheduler: /state shows the
// routers, the leader and the slots; /apps/{id}?include=metrics has each
// router's counters and their sum; inter-router calls need the cluster
// secret; DELETE ?timeout= waits for both; POST /drain turns /status 503.
func TestClusterPeers(t *testing.T) {
	zk := zktest.Standalone(t)
	shared := fakesched.New(func(*engine.Description) http.Handler { return fakesched.Backend() })
	t.Cleanup(func() { _ = shared.Shutdown(context.Background()) })
	r1 := peerRouter(t, zk, "r1", shared)
	waitFor(t, "r1 up", func() bool { s, _ := read(t, r1.call(t, "GET", "/status", nil)); return s == 200 })
	r2 := peerRouter(t, zk, "r2", shared)

	clusterOf := func(r *testRouter) map[string]any {
		_, body := read(t, r.call(t, "GET", "/state", nil))
		c, _ := decode(t, body)["driver"].(map[string]any)["cluster"].(map[string]any)
		return c
	}
	waitFor(t, "r2's /state shows both routers, r1 leading", func() bool {
		c := clusterOf(r2)
		rs, _ := c["routers"].([]any)
		return len(rs) == 2 && c["leader-id"] == "r1" && c["leader"] == false
	})
	if c := clusterOf(r1); c["leader"] != true {
		t.Fatalf("r1's /state: %v", c)
	}

	// One service, requests through both routers.
	hs := service("peers")
	for _, r := range []*testRouter{r1, r2} {
		status, body := read(t, r.call(t, "GET", "/", nil, hs...))
		wantBody(t, status, body, 200, "Hello World")
	}
	id := r1.serviceID(t, hs)
	var metrics map[string]any
	waitFor(t, "r1 reports both routers' counters", func() bool {
		status, body := read(t, r1.call(t, "GET", "/apps/"+id+"?include=metrics", nil))
		if status != 200 {
			return false
		}
		metrics, _ = decode(t, body)["metrics"].(map[string]any)
		routers, _ := metrics["routers"].(map[string]any)
		return routers["r1"] != nil && routers["r2"] != nil && metrics["aggregate"] != nil
	})
	if c := clusterOf(r2); c["slots"].(map[string]any)[id] == nil {
		t.Errorf("r2's /state has no slots of %s: %v", id, c)
	}

	// Inter-router endpoints without the cluster's signature: 401.
	status, body := read(t, r2.call(t, "POST", "/waiter-router/eject",
		strings.NewReader(`{"service-id":"`+id+`","instance-id":"x"}`)))
	wantBody(t, status, body, http.StatusUnauthorized, routerAuthHeader)

	// DELETE with a timeout answers once both routers forgot the service.
	status, body = read(t, r1.call(t, "DELETE", "/apps/"+id+"?timeout=10000", nil))
	if !strings.Contains(body, `"routers-agree": true`) {
		_, b2 := read(t, r2.call(t, "GET", "/apps/"+id, nil))
		_, s2 := read(t, r2.call(t, "GET", "/state", nil))
		t.Fatalf("%d %s; scheduler has %v; r2: %s\n%s", status, body, shared.Services(), b2, s2)
	}

	// Drain: r2's /status answers 503, r1 is unaffected.
	status, body = read(t, r2.call(t, "POST", "/drain", nil))
	wantBody(t, status, body, 200, `"draining": true`)
	status, _ = read(t, r2.call(t, "GET", "/status", nil))
	if status != http.StatusServiceUnavailable {
		t.Errorf("r2 draining: /status %d, want 503", status)
	}
	if status, _ := read(t, r1.call(t, "GET", "/status", nil)); status != 200 {
		t.Errorf("r1 /status %d", status)
	}
}

// routerAuthHeader is the header a refused inter-router call names.
const routerAuthHeader = "X-Waiter-Router-Auth"

// The routers of a cluster send instances the same password, whatever
// their data folders hold; a router alone keeps its own.
func TestClusterPasswordsShared(t *testing.T) {
	secret := filepath.Join(t.TempDir(), "s")
	if err := os.WriteFile(secret, []byte(testClusterSecret), 0o600); err != nil {
		t.Fatal(err)
	}
	cfg := config.Default()
	cfg.Cluster, cfg.ClusterSecretFile = config.ClusterZooKeeper, secret
	var got []string
	for range 2 {
		own, err := loadPasswords(t.TempDir())
		if err != nil {
			t.Fatal(err)
		}
		shared, err := own.forCluster(cfg)
		if err != nil {
			t.Fatal(err)
		}
		if shared.password("s1") == own.password("s1") {
			t.Fatal("the cluster's password is the data folder's")
		}
		got = append(got, shared.password("s1"))
		alone, _ := own.forCluster(config.Default())
		if alone.password("s1") != own.password("s1") {
			t.Fatal("a router alone changed its password")
		}
	}
	if got[0] != got[1] {
		t.Fatalf("two routers of one cluster send different passwords: %v", got)
	}
}

// POST /drain (admin only: adapters/http TestDrain): /status answers 503 at once so a balancer
// drops the router, new proxied requests are refused, and a request in
// flight finishes normally.
func TestDrainLetsInFlightFinish(t *testing.T) {
	r := startRouter(t, nil)
	hs := service("drain")
	status, body := read(t, r.call(t, "GET", "/", nil, hs...))
	wantBody(t, status, body, 200)
	slow := make(chan int, 1)
	go func() {
		resp, err := r.client.Do(mustRequest(t, r.url+"/", append(hs, "x-kitchen-delay-ms", "1500")))
		if err != nil {
			slow <- -1
			return
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		slow <- resp.StatusCode
	}()
	waitFor(t, "the slow request is in flight", func() bool {
		_, body := read(t, r.call(t, "GET", "/state", nil))
		return strings.Contains(body, `"in-flight-requests": 1`)
	})
	status, body = read(t, r.call(t, "POST", "/drain", nil))
	wantBody(t, status, body, 200, `"draining": true`)
	if status, _ := read(t, r.call(t, "GET", "/status", nil)); status != http.StatusServiceUnavailable {
		t.Errorf("/status while draining: %d, want 503", status)
	}
	if status, _ := read(t, r.call(t, "GET", "/", nil, hs...)); status != http.StatusServiceUnavailable {
		t.Errorf("a new request while draining: %d, want 503", status)
	}
	if got := <-slow; got != 200 {
		t.Errorf("the request in flight when the drain began ended %d, want 200", got)
	}
}

func mustRequest(t *testing.T, url string, headers []string) *http.Request {
	t.Helper()
	req, err := http.NewRequest("GET", url, nil)
	if err != nil {
		t.Fatal(err)
	}
	setHeaders(req, headers)
	return req
}
