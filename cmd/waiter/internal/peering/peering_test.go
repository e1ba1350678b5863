package peering

import (
	"context"
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/benbjohnson/clock"
	"github.com/waiter-go/waiter"
	"github.com/waiter-go/waiter/adapters/peers"
	"github.com/waiter-go/waiter/cmd/waiter/internal/fakesched"
	"github.com/waiter-go/waiter/cmd/waiter/internal/router"
	"github.com/waiter-go/waiter/engine"
	"github.com/waiter-go/waiter/internal/clustertest"
)

var secret = []byte("a-cluster-secret-for-tests")

// routerNode is one in-process router: a driver over the shared fake
// scheduler, its peer network, and an HTTP server on 127.0.0.1 that
// serves only the inter-router endpoints (the API is not needed here).
type routerNode struct {
	id   string
	drv  *router.Driver
	p    *Peering
	mem  *clustertest.Membership
	srv  *httptest.Server
	stop func()
}

func startRouter(t *testing.T, id string, sched engine.Scheduler, poll time.Duration) *routerNode {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	n := &routerNode{id: id}
	n.mem = clustertest.New(waiter.RouterInfo{ID: id, URL: "http://" + ln.Addr().String()})
	n.p, err = New(Config{Membership: n.mem, Secret: secret, Clock: clock.New(), Interval: 10 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	n.drv = router.New(router.Config{Engine: engine.Config{RouterID: id}, PollInterval: poll,
		FastPollInterval: 20 * time.Millisecond, Membership: n.p.Membership(), Peers: n.p.Peers()}, sched, clock.New())
	n.p.Bind(n.drv)
	n.srv = &httptest.Server{Listener: ln, Config: &http.Server{Handler: n.p.Wrap(http.NotFoundHandler())}}
	n.srv.Start()
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	wg.Add(2)
	go func() { defer wg.Done(); _ = n.drv.Run(ctx) }()
	go func() { defer wg.Done(); n.p.Run(ctx) }()
	n.stop = func() {
		n.p.Close()
		n.srv.Close()
		cancel()
		wg.Wait()
	}
	t.Cleanup(n.stop)
	return n
}

func (n *routerNode) info() waiter.RouterInfo { return n.mem.Self() }

func cluster(t *testing.T, ids ...string) ([]*routerNode, *fakesched.Scheduler) {
	t.Helper()
	return clusterPolling(t, 100*time.Millisecond, ids...)
}

// clusterPolling is cluster with the routers' poll interval.
func clusterPolling(t *testing.T, poll time.Duration, ids ...string) ([]*routerNode, *fakesched.Scheduler) {
	t.Helper()
	sched := newShared(t)
	var nodes []*routerNode
	for _, id := range ids {
		nodes = append(nodes, startRouter(t, id, sched, poll))
	}
	link(nodes)
	return nodes, sched
}

// newShared is the scheduler the routers of a test share.
func newShared(t *testing.T) *fakesched.Scheduler {
	sched := fakesched.New(func(*engine.Description) http.Handler { return fakesched.Backend() })
	t.Cleanup(func() { _ = sched.Shutdown(context.Background()) })
	return sched
}

// link makes every node's membership list all of them, the first leading.
func link(nodes []*routerNode) {
	var infos []waiter.RouterInfo
	for _, n := range nodes {
		infos = append(infos, n.info())
	}
	for _, n := range nodes {
		n.mem.Set(infos, nodes[0].id)
	}
}

func desc(t *testing.T) *engine.Description {
	t.Helper()
	d, err := engine.NewDescription(engine.Params{"cmd": "kitchen", "cpus": 0.1, "mem": 64.0, "version": "v1",
		"run-as-user": "alice"}, engine.DescriptionOptions{})
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("not within 10 s: %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func clusterState(t *testing.T, d *router.Driver) map[string]any {
	t.Helper()
	c, ok := d.State().(map[string]any)["cluster"].(map[string]any)
	if !ok {
		t.Fatalf("/state has no cluster: %v", d.State())
	}
	return c
}

func TestStateShowsRoutersAndLeader(t *testing.T) {
	nodes, _ := cluster(t, "r1", "r2", "r3")
	eventually(t, "r2 sees three routers led by r1", func() bool {
		c := clusterState(t, nodes[1].drv)
		rs, _ := c["routers"].([]string)
		return len(rs) == 3 && c["leader-id"] == "r1" && c["leader"] == false
	})
	if c := clusterState(t, nodes[0].drv); c["leader"] != true || c["router-id"] != "r1" {
		t.Fatalf("r1's view: %v", c)
	}
	eventually(t, "r1 hears from r2 and r3", func() bool {
		ages, _ := clusterState(t, nodes[0].drv)["peer-counters-age-ms"].(map[string]int64)
		a2, ok2 := ages["r2"]
		a3, ok3 := ages["r3"]
		return ok2 && ok3 && a2 < 1000 && a3 < 1000
	})
	// r1 leaves; r2 leads.
	for _, n := range nodes[1:] {
		n.mem.Set([]waiter.RouterInfo{nodes[1].info(), nodes[2].info()}, "r2")
	}
	eventually(t, "r2 leads two routers", func() bool {
		c := clusterState(t, nodes[1].drv)
		rs, _ := c["routers"].([]string)
		return len(rs) == 2 && c["leader"] == true
	})
}

func TestCountersAndEjectBetweenDrivers(t *testing.T) {
	nodes, sched := cluster(t, "r1", "r2")
	r1, r2 := nodes[0], nodes[1]
	d := desc(t)
	g, err := r2.drv.Admit(context.Background(), waiter.Admission{Description: d})
	if err != nil {
		t.Fatal(err)
	}
	if insts := sched.Instances(d.ID); len(insts) != 1 || insts[0].ID != g.Instance {
		t.Fatalf("instances %v, grant %+v", insts, g)
	}
	// r1 asks for r2's counters of the service: one request in flight.
	got, errs := r1.p.net.PeerServiceCounters(context.Background(), d.ID)
	if c := got["r2"]; len(errs) != 0 || c.Outstanding != 1 || c.SlotsInUse != 1 || c.LastRequest.IsZero() {
		t.Fatalf("r2's counters seen from r1: %+v %v", got, errs)
	}
	m, ok := r1.drv.ClusterMetrics(context.Background(), d.ID)
	if !ok || m.Aggregate.Outstanding != 1 || len(m.Routers) != 1 {
		t.Fatalf("r1's cluster metrics: %+v", m)
	}
	// r2 uses the instance: r1's eject is vetoed with 423.
	err = r1.p.net.AskEject(context.Background(), d.ID, g.Instance, "prepare-to-kill")
	if !errors.Is(err, waiter.ErrInstanceInUse) || !strings.Contains(err.Error(), "r2") {
		t.Fatalf("eject while r2 uses it: %v", err)
	}
	r2.drv.Release(g, engine.OutcomeSuccess)
	if err := r1.p.net.AskEject(context.Background(), d.ID, g.Instance, "prepare-to-kill"); err != nil {
		t.Fatalf("eject once released: %v", err)
	}
}

func TestCountersSyncToEveryPeer(t *testing.T) {
	nodes, _ := cluster(t, "r1", "r2")
	d := desc(t)
	g, err := nodes[0].drv.Admit(context.Background(), waiter.Admission{Description: d})
	if err != nil {
		t.Fatal(err)
	}
	defer nodes[0].drv.Release(g, engine.OutcomeSuccess)
	// r1 publishes what r2's network receives and hands to r2's driver.
	conn := make(chan engine.PeerCounters, 16)
	r2 := nodes[1]
	spyNet, err := peers.New(peers.Config{Membership: r2.mem, Secret: secret, Local: recorder{conn}, Clock: clock.New()})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(spyNet.Handler())
	defer srv.Close()
	defer spyNet.Close()
	nodes[0].mem.Set([]waiter.RouterInfo{nodes[0].info(), {ID: "r2", URL: srv.URL}}, "r1")
	select {
	case pc := <-conn:
		if pc.Router != "r1" || len(pc.Services) != 1 || pc.Services[0].Service != d.ID || pc.Services[0].Outstanding != 1 {
			t.Fatalf("r2 received %+v", pc)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("r1's counters never reached r2")
	}
}

// recorder is a peers.Local that only records the counters it gets.
type recorder struct{ c chan engine.PeerCounters }

func (r recorder) Counters() []engine.ServiceCounters { return nil }
func (r recorder) PeerCounters(p engine.PeerCounters) {
	select {
	case r.c <- p:
	default:
	}
}
func (r recorder) Eject(string, string, string, string) error { return nil }
func (r recorder) KillCandidate(context.Context, string, string) (string, error) {
	return "", waiter.ErrNothingToKill
}
func (r recorder) SlotOffered(string, string, string)                  {}
func (r recorder) SlotReleased(string, string, string, engine.Outcome) {}
func (r recorder) ServiceCounters(string) (engine.ServiceCounters, bool) {
	return engine.ServiceCounters{}, false
}
func (r recorder) Knows(string) bool { return false }

func TestDeleteAwaitsEveryRouter(t *testing.T) {
	nodes, _ := cluster(t, "r1", "r2")
	r1, r2 := nodes[0], nodes[1]
	d := desc(t)
	g, err := r2.drv.Admit(context.Background(), waiter.Admission{Description: d})
	if err != nil {
		t.Fatal(err)
	}
	r2.drv.Release(g, engine.OutcomeSuccess)
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	err = r1.drv.AwaitDeleted(ctx, d.ID)
	cancel()
	if err == nil || !strings.Contains(err.Error(), "r2") {
		t.Fatalf("r2 still knows it: AwaitDeleted = %v", err)
	}
	done := make(chan error, 1)
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		done <- r1.drv.AwaitDeleted(ctx, d.ID)
	}()
	r2.drv.DeleteService(d.ID)
	if err := <-done; err != nil {
		t.Fatalf("after r2 deleted it: %v", err)
	}
}

func TestUnsignedPeerCallsRefused(t *testing.T) {
	nodes, _ := cluster(t, "r1", "r2")
	for _, path := range []string{peers.PathEject, peers.PathKill} {
		resp, err := http.Post(nodes[1].srv.URL+path, "application/json", strings.NewReader(`{"service-id":"s"}`))
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusUnauthorized {
			t.Errorf("unsigned POST %s: %d", path, resp.StatusCode)
		}
	}
	// Everything else goes to the API.
	resp, err := http.Get(nodes[1].srv.URL + "/apps")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusNotFound {
		t.Errorf("/apps reached %d, want the API's handler (404 here)", resp.StatusCode)
	}
}

func TestKillCandidateAndEjectStopRouting(t *testing.T) {
	nodes, _ := cluster(t, "r1", "r2")
	r1, r2 := nodes[0], nodes[1]
	d := desc(t)
	g, err := r2.drv.Admit(context.Background(), waiter.Admission{Description: d})
	if err != nil {
		t.Fatal(err)
	}
	// Busy on r2: no candidate.
	if _, err := r1.p.net.AskKillCandidate(context.Background(), "r2", d.ID); !errors.Is(err, waiter.ErrNothingToKill) {
		t.Fatalf("candidate while r2 uses its only instance: %v", err)
	}
	r2.drv.Release(g, engine.OutcomeSuccess)
	inst, err := r1.p.net.AskKillCandidate(context.Background(), "r2", d.ID)
	if err != nil || inst != g.Instance {
		t.Fatalf("candidate once idle: %q %v; want %s", inst, err, g.Instance)
	}
	// The candidate is ejected on r2: a new request waits instead of going to it.
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	if g2, err := r2.drv.Admit(ctx, waiter.Admission{Description: d}); err == nil {
		r2.drv.Release(g2, engine.OutcomeSuccess)
		t.Fatalf("r2 routed to the instance it named for a kill: %+v", g2)
	}
	snap, _ := r2.drv.Service(d.ID)
	if len(snap.Instances) != 1 || !snap.Instances[0].Ejected {
		t.Fatalf("r2's instance not ejected: %+v", snap.Instances)
	}
}

// Work stealing: with the simple distribution one router owns the only
// instance's slot; a request to the other waits until the owner, told by
// the metrics sync that its peer needs help, lends it the idle slot.
func TestWorkStealingServesTheRouterWithoutSlots(t *testing.T) {
	nodes, _ := cluster(t, "r1", "r2")
	d, err := engine.NewDescription(engine.Params{"cmd": "kitchen", "cpus": 0.1, "mem": 64.0, "version": "v1",
		"run-as-user": "alice", "distribution-scheme": "simple", "concurrency-level": 1.0}, engine.DescriptionOptions{})
	if err != nil {
		t.Fatal(err)
	}
	// Start it on both routers and wait until both see it healthy.
	for _, n := range nodes {
		n.drv.Start(d)
	}
	eventually(t, "both routers see the instance healthy", func() bool {
		for _, n := range nodes {
			if snap, ok := n.drv.Service(d.ID); !ok || snap.Healthy() != 1 {
				return false
			}
		}
		return true
	})
	// The router that owns no slot gets the request, served on a lent slot.
	var owner, other *routerNode
	for _, n := range nodes {
		c := clusterState(t, n.drv)
		if list, _ := c["slots"].(map[string]any)[d.ID].([]map[string]any); len(list) > 0 && list[0]["owned"].(int) > 0 {
			owner = n
		} else {
			other = n
		}
	}
	if owner == nil || other == nil {
		t.Fatalf("simple distribution: want one owner of the only slot; owner %v other %v", owner, other)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	g, err := other.drv.Admit(ctx, waiter.Admission{Description: d})
	if err != nil {
		t.Fatalf("%s never got a slot: %v", other.id, err)
	}
	other.drv.Release(g, engine.OutcomeSuccess)
	t.Logf("%s served on a slot lent by %s", other.id, owner.id)
}

// A killed instance is ejected on every router at once, before they see
// the scheduler's next report (r2's reports are frozen here).
func TestKilledInstanceEjectedEverywhere(t *testing.T) {
	shared := newShared(t)
	frozen := &freezable{Scheduler: shared}
	nodes := []*routerNode{startRouter(t, "r1", shared, time.Hour), startRouter(t, "r2", frozen, time.Hour)}
	link(nodes)
	r1, r2 := nodes[0], nodes[1]
	d := desc(t)
	var inst string
	for _, n := range nodes {
		g, err := n.drv.Admit(context.Background(), waiter.Admission{Description: d})
		if err != nil {
			t.Fatal(err)
		}
		n.drv.Release(g, engine.OutcomeSuccess)
		inst = g.Instance
	}
	frozen.freeze()
	if err := r1.drv.KillInstance(context.Background(), d.ID, inst); err != nil {
		t.Fatal(err)
	}
	eventually(t, "r2 ejects the instance r1 killed", func() bool {
		snap, _ := r2.drv.Service(d.ID)
		for _, in := range snap.Instances {
			if in.ID == inst {
				return in.Ejected
			}
		}
		return false
	})
}

// freezable is a scheduler whose reports stop changing once frozen: a
// router that has not looked at the scheduler since.
type freezable struct {
	*fakesched.Scheduler
	mu     sync.Mutex
	frozen map[string]engine.Observation
}

func (f *freezable) freeze() {
	obs, _ := f.Scheduler.Observe(context.Background())
	f.mu.Lock()
	f.frozen = obs
	f.mu.Unlock()
}

func (f *freezable) Observe(ctx context.Context) (map[string]engine.Observation, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.frozen != nil {
		return f.frozen, nil
	}
	return f.Scheduler.Observe(ctx)
}
