package serve

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/waiter-go/waiter"
	"github.com/waiter-go/waiter/adapters/zookeeper"
	"github.com/waiter-go/waiter/cmd/waiter/internal/config"
	"github.com/waiter-go/waiter/internal/zktest"
)

// clusterRouter is `waiter serve --cluster zookeeper --zk-connect ...`
// with the given router id, on a real ZooKeeper, with the longest
// session the test servers allow (10 s). go-zookeeper drops a connection
// that answers nothing for two thirds of the session, and ZooKeeper
// answers a ping only after the writes before it: with a short session,
// a JVM or a disk stalled for a second and a half on a loaded CI machine
// would look like ZooKeeper gone.
func clusterRouter(t *testing.T, zk *zktest.Cluster, id string) *testRouter {
	t.Helper()
	return clusterRouterAt(t, zk.ConnectString(), id, 10*time.Second)
}

// clusterRouterAt is clusterRouter with its own zk-connect and session
// timeout (a test of session expiry wants a short one).
func clusterRouterAt(t *testing.T, connect, id string, session time.Duration) *testRouter {
	t.Helper()
	secret := filepath.Join(t.TempDir(), "cluster-secret")
	if err := os.WriteFile(secret, []byte(testClusterSecret), 0o600); err != nil {
		t.Fatal(err)
	}
	return startRouterWith(t, nil, nil, newFailLog(t, "router "+id), func(c *config.Config) {
		c.Cluster = config.ClusterZooKeeper
		c.ClusterSecretFile = secret
		c.ZKConnect = connect
		c.ZKBasePath = "/waiter-test"
		c.ZKSessionTimeout = session
		c.RouterID = id
	})
}

// testClusterSecret is what every test router of a cluster shares.
const testClusterSecret = "serve-tests-cluster-secret\n"

// observe joins the cluster as a bare Membership, to see what the
// routers registered.
func observe(t *testing.T, zk *zktest.Cluster) *zookeeper.Membership {
	t.Helper()
	c, err := zookeeper.Dial(context.Background(), zookeeper.Config{Servers: zk.Connect(), BasePath: "/waiter-test"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.Close)
	m, err := zookeeper.NewMembership(c, zookeeper.MembershipOptions{Self: waiter.RouterInfo{ID: "observer"}})
	if err != nil {
		t.Fatal(err)
	}
	zktest.CloseOnCleanup(t, m)
	return m
}

// waitFor polls check until it holds (up to 10 s).
// A last argument, when given, says what the check saw last.
func waitFor(t *testing.T, what string, check func() bool, saw ...func() string) time.Duration {
	t.Helper()
	began := time.Now()
	for !check() {
		if time.Since(began) > 10*time.Second {
			for _, s := range saw {
				what += "; " + s()
			}
			t.Fatalf("%s: not within 10s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
	return time.Since(began)
}

// Two routers on one ZooKeeper share their tokens: a token written
// through one is served by the other at once (ZooKeeper's watch tells
// its cache), and of two updates made at once with the same If-Match,
// one through each router, exactly one wins. With ZooKeeper stopped,
// token writes answer 503 naming ZooKeeper while the routers keep
// serving the tokens and services they know (a service never seen needs
// its records, and a new one must be stored: those wait for ZooKeeper);
// when it is back, writes work again. A service suspended through one
// router is refused by the other.
func TestClusterTwoRoutersShareTokens(t *testing.T) {
	zk := zktest.Standalone(t)
	// Each router answers once it has joined: r1 first.
	r1 := clusterRouter(t, zk, "r1")
	if status, _ := read(t, r1.call(t, "GET", "/status", nil)); status != http.StatusOK {
		t.Fatalf("r1 /status: %d", status)
	}
	r2 := clusterRouter(t, zk, "r2")
	if status, _ := read(t, r2.call(t, "GET", "/status", nil)); status != http.StatusOK {
		t.Fatalf("r2 /status: %d", status)
	}
	// Both registered, with the URLs they listen at; r1 came first and
	// leads.
	routers := observe(t, zk)
	waitFor(t, "both routers registered", func() bool {
		rs := routers.Routers()
		return len(rs) == 3 && rs[0].ID == "observer" && rs[1] == waiter.RouterInfo{ID: "r1", URL: r1.url} &&
			rs[2] == waiter.RouterInfo{ID: "r2", URL: r2.url}
	})
	if routers.LeaderID() != "r1" {
		t.Errorf("leader %q, want r1", routers.LeaderID())
	}
	post := func(r *testRouter, body string, headers ...string) *http.Response {
		return r.call(t, "POST", "/token", strings.NewReader(body), headers...)
	}
	etagOn := func(r *testRouter) string {
		resp := r.call(t, "GET", "/token?token=kitchen", nil)
		read(t, resp)
		if resp.StatusCode != http.StatusOK {
			return ""
		}
		return resp.Header.Get("etag")
	}
	const v1 = `{"token": "kitchen", "cmd": "kitchen", "cpus": 0.1, "mem": 64, "version": "v1"}`

	// r2 reads the token before it exists (and caches that it does not).
	if status, _ := read(t, r2.call(t, "GET", "/token?token=kitchen", nil)); status != http.StatusNotFound {
		t.Fatalf("before: %d", status)
	}
	resp := post(r1, v1)
	status, body := read(t, resp)
	wantBody(t, status, body, 200, "Successfully created kitchen")
	etag := resp.Header.Get("etag")
	took := waitFor(t, "r2 serves the token r1 wrote", func() bool { return etagOn(r2) == etag })
	t.Logf("a token written on r1 was served by r2 after %s", took.Round(time.Microsecond))
	// And it serves requests there.
	status, body = read(t, r2.call(t, "GET", "/", nil, "x-waiter-token", "kitchen"))
	wantBody(t, status, body, 200, "Hello World")

	// Concurrent If-Match updates, one through each router.
	for round := range 3 {
		cur := etagOn(r1)
		var wg sync.WaitGroup
		statuses := make([]int, 2)
		for i, r := range []*testRouter{r1, r2} {
			wg.Add(1)
			go func() {
				defer wg.Done()
				body := strings.Replace(v1, `"v1"`, `"r`+string(rune('a'+round))+string(rune('0'+i))+`"`, 1)
				statuses[i], _ = read(t, post(r, body, "If-Match", cur))
			}()
		}
		wg.Wait()
		if !(statuses[0] == 200 && statuses[1] == 412 || statuses[0] == 412 && statuses[1] == 200) {
			t.Fatalf("round %d: concurrent If-Match updates answered %v, want one 200 and one 412", round, statuses)
		}
		waitFor(t, "both routers agree", func() bool { a := etagOn(r1); return a != cur && a == etagOn(r2) })
	}
	known := etagOn(r1)
	// A token with one version, whose service both routers run: they know
	// it. (A request for kitchen could fall back to the service of an
	// older version, which Waiter does while the newest has no healthy
	// instance.)
	const steady = `{"token": "steady", "cmd": "kitchen", "cpus": 0.1, "mem": 64, "version": "s1"}`
	status, body = read(t, post(r1, steady))
	wantBody(t, status, body, 200, "Successfully created steady")
	for _, r := range []*testRouter{r1, r2} {
		waitFor(t, "the steady token everywhere", func() bool {
			status, _ := read(t, r.call(t, "GET", "/token?token=steady", nil))
			return status == http.StatusOK
		})
		status, body := read(t, r.call(t, "GET", "/", nil, "x-waiter-token", "steady"))
		wantBody(t, status, body, 200, "Hello World")
	}

	// ZooKeeper stopped: known tokens and services keep being served.
	if err := zk.Servers[0].Stop(); err != nil {
		t.Fatal(err)
	}
	var msg string
	waitFor(t, "token writes refused", func() bool {
		status, body := read(t, post(r1, strings.Replace(v1, "v1", "down", 1)))
		msg = body
		return status == http.StatusServiceUnavailable
	})
	if !strings.Contains(msg, "ZooKeeper ("+zk.ConnectString()+") is unavailable") {
		t.Errorf("503 does not say why: %s", msg)
	}
	for _, r := range []*testRouter{r1, r2} {
		if got := etagOn(r); got != known {
			t.Errorf("with ZooKeeper down, %s serves etag %q, want the known %q", r.url, got, known)
		}
		for range 3 {
			status, body := read(t, r.call(t, "GET", "/", nil, "x-waiter-token", "steady"))
			wantBody(t, status, body, 200, "Hello World")
		}
		status, body := read(t, r.call(t, "GET", "/status", nil))
		wantBody(t, status, body, 200, `"degraded"`, "ZooKeeper")
	}

	// Back: writes work and reach the other router.
	if err := zk.Servers[0].Restart(); err != nil {
		t.Fatal(err)
	}
	var next, last string
	waitFor(t, "token writes work again", func() bool {
		resp := post(r2, strings.Replace(v1, "v1", "back", 1), "If-Match", known)
		status, body := read(t, resp)
		next, last = resp.Header.Get("etag"), fmt.Sprintf("%d %s", status, body)
		return status == http.StatusOK
	}, func() string { return "the last write answered " + last })
	waitFor(t, "r1 serves r2's write", func() bool { return etagOn(r1) == next })

	// r1 suspends the steady service: r2, which remembered it running,
	// refuses it too (ZooKeeper's watch tells its edge); r2 resumes it:
	// r1 serves it again.
	id := r1.serviceID(t, []string{"x-waiter-token", "steady"})
	status, body = read(t, r1.call(t, "POST", "/apps/"+id+"/suspend", nil))
	wantBody(t, status, body, 200)
	waitFor(t, "r2 refuses the suspended service", func() bool {
		status, body := read(t, r2.call(t, "GET", "/", nil, "x-waiter-token", "steady"))
		return status == http.StatusServiceUnavailable && strings.Contains(body, "Service has been suspended")
	})
	status, body = read(t, r2.call(t, "POST", "/apps/"+id+"/resume", nil))
	wantBody(t, status, body, 200)
	waitFor(t, "r1 serves the resumed service", func() bool {
		status, _ := read(t, r1.call(t, "GET", "/", nil, "x-waiter-token", "steady"))
		return status == http.StatusOK
	})

	// r1 stops: it leaves the cluster at once and r2 leads.
	if err := r1.stop(); err != nil {
		t.Fatal(err)
	}
	took = waitFor(t, "r2 leads after r1 stopped", func() bool {
		rs := routers.Routers()
		return routers.LeaderID() == "r2" && len(rs) == 2 && rs[1].ID == "r2"
	})
	t.Logf("r2 led %s after r1 stopped", took.Round(time.Microsecond))
}

// A router cut off from ZooKeeper for longer than its session timeout (a
// partition; ZooKeeper itself stays up): it keeps serving the tokens it
// knows and answers token writes 503; its session expires, its
// registration goes and the other router leads within the session
// timeout. When the partition heals it opens a new session, registers
// again (behind the new leader) and writes work.
func TestClusterSessionExpiry(t *testing.T) {
	zk := zktest.Standalone(t)
	proxy := zktest.NewProxy(t, zk.Connect()[0])
	r1 := clusterRouterAt(t, proxy.Addr(), "r1", 2*time.Second)
	if status, _ := read(t, r1.call(t, "GET", "/status", nil)); status != http.StatusOK {
		t.Fatalf("r1 /status: %d", status)
	}
	r2 := clusterRouter(t, zk, "r2")
	if status, _ := read(t, r2.call(t, "GET", "/status", nil)); status != http.StatusOK {
		t.Fatalf("r2 /status: %d", status)
	}
	routers := observe(t, zk)
	registered := func(want ...string) func() bool {
		return func() bool {
			rs := routers.Routers()
			got := []string{}
			for _, r := range rs {
				got = append(got, r.ID)
			}
			return strings.Join(got, " ") == strings.Join(want, " ")
		}
	}
	waitFor(t, "both registered", registered("observer", "r1", "r2"))
	if routers.LeaderID() != "r1" {
		t.Fatalf("leader %q, want r1", routers.LeaderID())
	}
	const tok = `{"token": "kitchen", "cmd": "kitchen", "cpus": 0.1, "mem": 64, "version": "v1"}`
	status, body := read(t, r1.call(t, "POST", "/token", strings.NewReader(tok)))
	wantBody(t, status, body, 200)
	status, body = read(t, r1.call(t, "GET", "/", nil, "x-waiter-token", "kitchen"))
	wantBody(t, status, body, 200, "Hello World")

	began := time.Now()
	proxy.Cut()
	waitFor(t, "r1's session expired and r2 leads", func() bool { return registered("observer", "r2")() && routers.LeaderID() == "r2" })
	t.Logf("r1 cut off (session timeout 2s): r2 led after %s", time.Since(began).Round(time.Millisecond))
	status, body = read(t, r1.call(t, "POST", "/token", strings.NewReader(strings.Replace(tok, "v1", "v2", 1))))
	wantBody(t, status, body, 503, "ZooKeeper ("+proxy.Addr()+") is unavailable")
	status, body = read(t, r1.call(t, "GET", "/", nil, "x-waiter-token", "kitchen"))
	wantBody(t, status, body, 200, "Hello World")

	proxy.Heal()
	waitFor(t, "r1 registered again", registered("observer", "r1", "r2"))
	if routers.LeaderID() != "r2" {
		t.Errorf("leader %q after r1 came back, want r2", routers.LeaderID())
	}
	waitFor(t, "r1 writes again", func() bool {
		status, _ := read(t, r1.call(t, "POST", "/token", strings.NewReader(strings.Replace(tok, "v1", "v3", 1))))
		return status == http.StatusOK
	})
}
