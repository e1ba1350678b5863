package marathon

import (
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/waiter-go/waiter/internal/childproc"
	"github.com/waiter-go/waiter/internal/e2ekit"
	"github.com/waiter-go/waiter/internal/zktest"
)

// This file runs a cluster of three `waiter serve` on one real ZooKeeper
// (internal/zktest) and one `waiter-sim marathon`: the faults the routers
// must survive (routers_faults_test.go).

// zkSessionTimeout is the routers' ZooKeeper session: how long a router
// that vanished keeps its registration and its leadership.
const zkSessionTimeout = 4 * time.Second

// clusterSecret is what the test routers share.
const clusterSecret = "acceptance-cluster-secret-0123456789\n"

// member is one router of the cluster.
type member struct {
	id     string
	p      *childproc.Process
	url    string   // where it listens
	view   *cluster // the simulator's cluster seen through this router (send, app, ...)
	killed bool     // by the test, with SIGKILL
}

// routerSet is the simulator, ZooKeeper and the routers.
type routerSet struct {
	t       *testing.T
	base    *cluster
	zk      *zktest.Cluster
	members []*member
}

// startRouters starts ZooKeeper, the simulator and n routers r1..rn, one
// after another (so r1 is elected first). routerURL, when set, gives the
// router-url of router i (the URL its peers use).
func startRouters(t *testing.T, n int, routerURL func(i int) string) *routerSet {
	t.Helper()
	zk := zktest.Standalone(t)
	s := &routerSet{t: t, base: startSim(t), zk: zk}
	// Registered after the simulator's clean-up, so it runs first: the
	// routers stop before Marathon does.
	t.Cleanup(s.cleanup)
	dir := t.TempDir()
	secret := filepath.Join(dir, "cluster-secret")
	if err := os.WriteFile(secret, []byte(clusterSecret), 0o600); err != nil {
		t.Fatal(err)
	}
	for i := 1; i <= n; i++ {
		id := fmt.Sprintf("r%d", i)
		cfg := routerConfig + "cluster: zookeeper\nzk-connect: " + zk.ConnectString() +
			"\nzk-session-timeout: " + zkSessionTimeout.String() + "\ncluster-secret-file: " + secret + "\n"
		if routerURL != nil {
			cfg += "router-url: " + routerURL(i) + "\n"
		}
		path := filepath.Join(dir, id+".yaml")
		if err := os.WriteFile(path, []byte(cfg), 0o600); err != nil {
			t.Fatal(err)
		}
		p, url, err := startWaiter(id, filepath.Join(dir, id), s.base.simURL, path)
		m := &member{id: id, p: p, url: url}
		if p != nil {
			s.members = append(s.members, m)
		}
		if err != nil {
			t.Fatal(err)
		}
		v := *s.base
		v.waiter, v.WaiterURL = p, url
		m.view = &v
	}
	return s
}

// cleanup stops every router still running (SIGTERM, exit 0 expected).
func (s *routerSet) cleanup() {
	t := s.t
	for _, m := range s.members {
		if m.killed {
			continue
		}
		m.view.HTTP.CloseIdleConnections()
		code, err := m.p.Stop(stopTimeout)
		switch {
		case err != nil:
			t.Error(err)
		case code != 0:
			t.Errorf("%s exited %d after SIGTERM, want 0", m.p.Name, code)
		}
	}
	if t.Failed() {
		for _, m := range s.members {
			t.Logf("%s's log (last 40 lines):\n%s", m.p.Name, indent(m.p.Out.Tail(40)))
		}
	}
}

// kill9 kills a router with SIGKILL: no shutdown, no leaving the cluster.
func (s *routerSet) kill9(m *member) {
	m.killed = true
	m.p.Kill()
}

// clusterView is the cluster part of a router's GET /state.
type clusterView struct {
	RouterID  string           `json:"router-id"`
	Routers   []string         `json:"routers"`
	Leader    bool             `json:"leader"`
	LeaderID  string           `json:"leader-id"`
	HeardAgo  map[string]int64 `json:"peer-counters-age-ms"`
	SlotsBySv map[string]any   `json:"slots"`
}

func (m *member) cluster() clusterView {
	var s struct {
		Driver struct {
			Cluster clusterView `json:"cluster"`
		} `json:"driver"`
	}
	if code := m.view.GetJSON(m.url+"/state", &s); code != http.StatusOK {
		m.view.T.Fatalf("%s GET /state: %d", m.id, code)
	}
	return s.Driver.Cluster
}

// live are the routers the test has not killed.
func (s *routerSet) live() []*member {
	var out []*member
	for _, m := range s.members {
		if !m.killed {
			out = append(out, m)
		}
	}
	return out
}

// agreed waits until every live router lists exactly the live routers and
// exactly one of them leads, and returns the leader.
func (s *routerSet) agreed(timeout time.Duration) (*member, time.Duration) {
	s.t.Helper()
	var leader *member
	took := e2ekit.Eventually(s.t, timeout, "the routers agree on members and one leader", func() (bool, string) {
		live := s.live()
		want := make([]string, len(live))
		for i, m := range live {
			want[i] = m.id
		}
		leader = nil
		var seen []string
		for _, m := range live {
			c := m.cluster()
			sort.Strings(c.Routers)
			seen = append(seen, fmt.Sprintf("%s: routers %v leader %q leads %v", m.id, c.Routers, c.LeaderID, c.Leader))
			if strings.Join(c.Routers, ",") != strings.Join(want, ",") {
				return false, strings.Join(seen, "; ")
			}
			if c.Leader {
				if leader != nil {
					return false, strings.Join(seen, "; ") + " (two leaders)"
				}
				leader = m
			}
		}
		return leader != nil, strings.Join(seen, "; ")
	})
	return leader, took
}
