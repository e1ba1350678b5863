package sim

import (
	"bytes"
	"fmt"
	"strings"
	"testing"

	"github.com/waiter-go/waiter/sim/scenario"
)

// clusterScenario is a small cluster run: 3 routers, one service at base
// rps that drops to 5% of it at 2m, for 6m.
func clusterScenario(t *testing.T, cluster, params, faults string, base int) *scenario.Scenario {
	t.Helper()
	y := fmt.Sprintf(`name: cluster-test
seed: 7
duration: 6m
routers: 3
cluster:
%s
marathon: {agents: 10}
services:
  - name: api
    params: {concurrency-level: 2, min-instances: 1, max-instances: 40, scale-down-factor: 0.3%s}
    startup: 2s
    service-time: {kind: lognormal, median: 100ms, sigma: 0.3}
    load: {kind: step, base: %d, multiplier: 0.05, start: 2m, duration: 4m}
%s`, cluster, params, base, faults)
	sc, err := scenario.Parse("cluster-test.yaml", []byte(y))
	if err != nil {
		t.Fatal(err)
	}
	return sc
}

// TestClusterRunIsDeterministic: a cluster run, faults included, gives
// the same bytes twice.
func TestClusterRunIsDeterministic(t *testing.T) {
	sc := clusterScenario(t, "  balancer: random", "", `faults:
  - {kind: router-crash, router: leader, start: 1m, duration: 1m}
  - {kind: router-partition, router: router-3, start: 3m, duration: 30s}`, 100)
	a, rep := runJSON(t, sc, Options{})
	b, _ := runJSON(t, sc, Options{})
	if !bytes.Equal(a, b) {
		t.Fatal("the same seed gave different cluster reports")
	}
	checkConservation(t, "cluster", rep.Totals)
	if len(rep.Routers) != 3 || rep.Cluster.Routers != 3 {
		t.Fatalf("want 3 routers in the report, got %d", len(rep.Routers))
	}
}

// TestBalancers: every balancer spreads the requests over the three
// routers; round-robin evenly.
func TestBalancers(t *testing.T) {
	for _, b := range scenario.Balancer("").EnumValues() {
		t.Run(b, func(t *testing.T) {
			_, rep := runJSON(t, clusterScenario(t, "  balancer: "+b, "", "", 50), Options{})
			var sum int64
			lo, hi := rep.Routers[0].Requests, rep.Routers[0].Requests
			for _, r := range rep.Routers {
				if r.Requests == 0 {
					t.Fatalf("%s got no request", r.ID)
				}
				sum += r.Requests
				lo, hi = min(lo, r.Requests), max(hi, r.Requests)
			}
			if sum != rep.Totals.Requests {
				t.Fatalf("routers' requests sum to %d, totals say %d", sum, rep.Totals.Requests)
			}
			if b == string(scenario.BalancerRoundRobin) && hi-lo > 1 {
				t.Fatalf("round-robin spread %d..%d", lo, hi)
			}
		})
	}
}

// TestPartitionVetoesKills: while a router is cut off from its peers the
// leader cannot hear it, so it kills nothing (the unreachable peer
// vetoes); no request ever fails on a killed instance; once the
// partition heals the scale-down resumes.
func TestPartitionVetoesKills(t *testing.T) {
	cut := clusterScenario(t, "  balancer: round-robin", "", `faults:
  - {kind: router-partition, router: router-3, start: 2m, duration: 2m}`, 200)
	_, rep := runJSON(t, cut, Options{})
	if rep.Cluster.EjectVetoes == 0 {
		t.Fatal("no kill was vetoed while a peer was unreachable")
	}
	if rep.Totals.Errors != 0 {
		t.Fatalf("%d requests failed: an instance in use was killed", rep.Totals.Errors)
	}
	if rep.Totals.Kills == 0 {
		t.Fatal("no scale-down after the partition healed")
	}
	whole := clusterScenario(t, "  balancer: round-robin", "", "", 200)
	_, ref := runJSON(t, whole, Options{})
	if ref.Totals.InstanceSeconds >= rep.Totals.InstanceSeconds {
		t.Fatalf("the partition did not hold instances back: %.0f s with it, %.0f s without",
			rep.Totals.InstanceSeconds, ref.Totals.InstanceSeconds)
	}
}

// TestLeaderLoss: the leader's session expires, the next router leads and
// keeps scaling down.
func TestLeaderLoss(t *testing.T) {
	sc := clusterScenario(t, "  balancer: round-robin", "", `faults:
  - {kind: leader-loss, start: 2m30s}`, 200)
	_, rep := runJSON(t, sc, Options{})
	if rep.Cluster.LeaderChanges != 1 || !rep.Routers[1].Leader || rep.Routers[0].Leader {
		t.Fatalf("want router-2 leading after one change, got %d changes, routers %+v", rep.Cluster.LeaderChanges, rep.Routers)
	}
	if rep.Totals.Kills == 0 || rep.Totals.Errors != 0 {
		t.Fatalf("kills %d errors %d", rep.Totals.Kills, rep.Totals.Errors)
	}
}

// TestRouterCrash: a crashed router loses its own requests only (counted
// as rejected by router-crash), the balancer stops sending it requests,
// and it serves again after its restart.
func TestRouterCrash(t *testing.T) {
	sc := clusterScenario(t, "  balancer: round-robin\n  session-timeout: 5s", "", `faults:
  - {kind: router-crash, router: router-2, start: 1m, duration: 1m}`, 100)
	_, rep := runJSON(t, sc, Options{})
	lost := rep.Totals.RejectedBy["router-crash"]
	if lost == 0 || lost != rep.Routers[1].Rejected || rep.Routers[1].Crashes != 1 {
		t.Fatalf("router-crash rejections %d, router-2 %+v", lost, rep.Routers[1])
	}
	if rep.Routers[0].Rejected+rep.Routers[2].Rejected != 0 {
		t.Fatalf("the survivors lost requests: %+v", rep.Routers)
	}
	// The crashed router missed a minute of round-robin turns.
	if rep.Routers[1].Requests >= rep.Routers[0].Requests {
		t.Fatalf("router-2 got %d requests, router-1 %d", rep.Routers[1].Requests, rep.Routers[0].Requests)
	}
	if rep.Routers[1].Completed == 0 {
		t.Fatal("router-2 served nothing after its restart")
	}
}

// TestRouterFaultsNeedACluster: router faults are refused for one router.
func TestRouterFaultsNeedACluster(t *testing.T) {
	y := `name: x
duration: 1m
services: [{name: a, load: {kind: step, base: 1, multiplier: 2, start: 10s, duration: 10s}}]
faults: [{kind: leader-loss, start: 10s}]
`
	_, err := scenario.Parse("x.yaml", []byte(y))
	if err == nil || !strings.Contains(err.Error(), "routers: 2 or more") {
		t.Fatalf("want a clear error, got %v", err)
	}
}
