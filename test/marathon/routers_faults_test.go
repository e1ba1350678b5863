package marathon

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/waiter-go/waiter/internal/e2ekit"
)

// trafficErrors counts the replies that were not 200.
func trafficErrors(replies []e2ekit.TaggedReply) (n int, first string) {
	for _, r := range replies {
		if r.Err != nil || r.Status != http.StatusOK {
			if n == 0 {
				first = r.Reply.String()
			}
			n++
		}
	}
	return n, first
}

// The leader dies (SIGKILL) under load: another router leads within the
// ZooKeeper session timeout, scaling resumes under the new leader, and
// every request sent to the surviving routers succeeds.
func TestRoutersLeaderKilled(t *testing.T) {
	t.Parallel()
	s := startRouters(t, 3, nil)
	leader, took := s.agreed(30 * time.Second)
	t.Logf("three routers agreed on leader %s after %s", leader.id, took.Round(time.Millisecond))
	var survivors []*member
	for _, m := range s.members {
		if m != leader {
			survivors = append(survivors, m)
		}
	}
	// Room to scale above what the steady traffic (four workers) needs.
	svc := kitchenService(map[string]string{"name": "routers-leader", "max-instances": "8",
		"scale-up-factor": "0.9", "concurrency-level": "1"})
	id := survivors[0].view.Start(svc)
	// The leader learns of the service from Marathon and the shared store.
	e2ekit.Eventually(t, 20*time.Second, "the leader knows the service", func() (bool, string) {
		code := leader.view.GetJSON(leader.url+"/apps/"+id, nil)
		return code == http.StatusOK, http.StatusText(code)
	})

	var load []*e2ekit.Traffic
	for _, m := range survivors {
		load = append(load, m.view.StartTraffic(svc, 2))
	}
	e2ekit.Eventually(t, 10*time.Second, "traffic flows on both survivors", func() (bool, string) {
		return load[0].Count(0) > 20 && load[1].Count(0) > 20, ""
	})

	s.kill9(leader)
	killedAt := time.Now()
	var next *member
	next, _ = s.agreed(zkSessionTimeout + 10*time.Second)
	toLead := time.Since(killedAt)
	t.Logf("after SIGKILL of leader %s, %s led after %s (session timeout %s)", leader.id, next.id,
		toLead.Round(time.Millisecond), zkSessionTimeout)
	if toLead > zkSessionTimeout+3*time.Second {
		t.Errorf("a new leader took %s, more than the session timeout %s (+3 s of polling)", toLead, zkSessionTimeout)
	}

	// Scaling resumes: concurrent slow requests through the survivors make
	// the new leader scale the service up.
	before, _ := s.base.marathonApp(id)
	var done []<-chan []e2ekit.Reply
	for _, m := range survivors {
		done = append(done, m.view.SendConcurrently(svc, 4, map[string]string{"x-kitchen-delay-ms": "4000"}))
	}
	scaled := e2ekit.Eventually(t, 30*time.Second, "the new leader scales up", func() (bool, string) {
		app, _ := s.base.marathonApp(id)
		return app.Instances > before.Instances, app.String()
	})
	t.Logf("scale-up under the new leader %s: Marathon instances %d -> more after %s", next.id, before.Instances,
		scaled.Round(time.Millisecond))
	for i, ch := range done {
		for _, r := range <-ch {
			if r.Err != nil || r.Status != http.StatusOK {
				t.Errorf("slow request through %s: %v", survivors[i].id, r)
			}
		}
	}
	total := 0
	for i, tr := range load {
		replies := tr.Stop()
		total += len(replies)
		if n, first := trafficErrors(replies); n > 0 {
			t.Errorf("%d of %d requests through %s failed; first: %s", n, len(replies), survivors[i].id, first)
		}
	}
	t.Logf("%d requests through the survivors across the leader's death, none failed", total)
}

// inUse is how many of a router's slots of service id are in use, by its
// /state.
func (m *member) inUse(id string) int {
	n := 0
	list, _ := m.cluster().SlotsBySv[id].([]any)
	for _, s := range list {
		if v, ok := s.(map[string]any)["in-use"].(float64); ok {
			n += int(v)
		}
	}
	return n
}

// One router is cut off from its peers (not from ZooKeeper or Marathon)
// while it serves a long request: its counters expire on the others, the
// leader, whose own load is gone, tries to scale down but every kill is
// vetoed (the cut-off router cannot answer, and may be using the
// instance), so the long request succeeds; once the cut heals, the scale
// down goes ahead.
func TestRoutersPartitioned(t *testing.T) {
	t.Parallel()
	proxies := []*peerProxy{newPeerProxy(t), newPeerProxy(t), newPeerProxy(t)}
	s := startRouters(t, 3, func(i int) string { return proxies[i-1].url() })
	for i, m := range s.members {
		proxies[i].setTarget(m.url)
	}
	leader, _ := s.agreed(30 * time.Second)
	r3 := s.members[2]
	if leader == r3 {
		t.Fatal("r3 leads; the test cuts off a follower")
	}
	e2ekit.Eventually(t, 10*time.Second, "the leader hears from r3", func() (bool, string) {
		age, ok := leader.cluster().HeardAgo["r3"]
		return ok && age < 1000, fmt.Sprint(leader.cluster().HeardAgo)
	})
	svc := kitchenService(map[string]string{"name": "routers-partition", "max-instances": "3",
		"scale-up-factor": "0.9", "scale-down-factor": "0.9", "concurrency-level": "1"})
	id := leader.view.Start(svc)
	// Load through r1 and r2 scales the service to three and lasts until
	// r3 is cut off; then the leader wants one instance again. (Each
	// router owns one slot of three: its two requests run one after the
	// other.)
	var loads []<-chan []e2ekit.Reply
	for _, m := range s.members[:2] {
		loads = append(loads, m.view.SendConcurrently(svc, 2, map[string]string{"x-kitchen-delay-ms": "5000"}))
	}
	e2ekit.Eventually(t, 30*time.Second, "three healthy instances, seen by r3", func() (bool, string) {
		a := r3.view.App(id)
		return a.InstanceCounts.Healthy == 3, a.String()
	})

	// r3 serves a long request, then loses its peers.
	long := r3.view.SendConcurrently(svc, 1, map[string]string{"x-kitchen-delay-ms": "20000"})
	e2ekit.Eventually(t, 10*time.Second, "r3 uses an instance", func() (bool, string) { return r3.inUse(id) == 1, "" })
	proxies[2].block("*")
	for _, p := range proxies[:2] {
		p.block("r3")
	}
	cutAt := time.Now()
	if app := s.base.existingMarathonApp(id); len(app.running()) != 3 {
		t.Fatalf("scaled down before the cut: %s", app)
	}
	expired := e2ekit.Eventually(t, 10*time.Second, "r3's counters go stale on the leader", func() (bool, string) {
		age := leader.cluster().HeardAgo["r3"]
		return age > 2000, fmt.Sprint(age)
	})
	t.Logf("r3 cut off: its counters on the leader passed the 2 s TTL %s after the cut", expired.Round(time.Millisecond))
	for _, load := range loads {
		for _, r := range <-load {
			if r.Err != nil || r.Status != http.StatusOK {
				t.Fatalf("load through r1 and r2: %v", r)
			}
		}
	}
	t.Logf("load on r1 and r2 over %s after the cut", time.Since(cutAt).Round(time.Millisecond))
	vetoes := func() int { return strings.Count(leader.p.Out.Tail(10000), "kill vetoed by a peer") }
	firstVeto := e2ekit.Eventually(t, 20*time.Second, "the leader tries to scale down and is vetoed", func() (bool, string) {
		return vetoes() > 0, s.base.existingMarathonApp(id).String()
	})
	t.Logf("first kill vetoed %s later", firstVeto.Round(time.Millisecond))
	// Let the leader try again (other instances, later passes).
	e2ekit.Eventually(t, 20*time.Second, "the leader tries again and is vetoed again", func() (bool, string) {
		return vetoes() >= 3, fmt.Sprint(vetoes())
	})
	if app := s.base.existingMarathonApp(id); len(app.running()) != 3 {
		t.Errorf("an instance was killed while r3 was cut off: %s", app)
	}
	for _, p := range proxies {
		p.unblock("*")
		p.unblock("r3")
	}
	t.Logf("cut for %s; %d kills vetoed meanwhile", time.Since(cutAt).Round(time.Millisecond), vetoes())
	for _, r := range <-long {
		if r.Err != nil || r.Status != http.StatusOK {
			t.Errorf("r3's long request across the cut: %v", r)
		}
	}
	e2ekit.Eventually(t, 40*time.Second, "healed: the scale-down goes ahead", func() (bool, string) {
		app := s.base.existingMarathonApp(id)
		return len(app.running()) < 3, app.String()
	})
}

// ZooKeeper stops for 30 s under load: the routers keep serving the
// service they know, nobody scales it (no leader while ZooKeeper is
// away: no flapping), token writes answer 503 naming ZooKeeper; when it
// returns (the routers' sessions expired meanwhile) they register again,
// elect a leader, and writes work again.
func TestRoutersZooKeeperStopped(t *testing.T) {
	t.Parallel()
	s := startRouters(t, 3, nil)
	s.agreed(30 * time.Second)
	svc := kitchenService(map[string]string{"name": "routers-zk", "max-instances": "3", "concurrency-level": "1"})
	id := s.members[0].view.Start(svc)
	for _, m := range s.members {
		e2ekit.Eventually(t, 20*time.Second, m.id+" knows the service", func() (bool, string) {
			var a e2ekit.AppView
			code := m.view.GetJSON(m.url+"/apps/"+id, &a)
			return code == http.StatusOK && a.InstanceCounts.Healthy >= 1, a.String()
		})
	}
	var load []*e2ekit.Traffic
	for _, m := range s.members {
		load = append(load, m.view.StartTraffic(svc, 1))
	}
	e2ekit.Eventually(t, 10*time.Second, "traffic flows on every router", func() (bool, string) {
		return load[0].Count(0) > 10 && load[1].Count(0) > 10 && load[2].Count(0) > 10, ""
	})
	// Let scaling settle first: a scale the leader asked for just before
	// the outage would otherwise land during it.
	var before marathonApp
	settledAt := time.Now()
	e2ekit.Eventually(t, 30*time.Second, "Marathon settles under the steady load", func() (bool, string) {
		app := s.base.existingMarathonApp(id)
		if app.Instances != before.Instances || len(app.running()) != app.Instances || len(app.Deployments) > 0 {
			before, settledAt = app, time.Now()
			return false, app.String()
		}
		return time.Since(settledAt) > time.Second, app.String()
	})

	if err := s.zk.Servers[0].Stop(); err != nil {
		t.Fatal(err)
	}
	stoppedAt := time.Now()
	token := `{"token": "routers-zk", "cmd": "kitchen", "cpus": 0.1, "mem": 64, "version": "v1"}`
	w := s.members[1]
	e2ekit.Eventually(t, 15*time.Second, "token writes answer 503", func() (bool, string) {
		return w.view.Call(http.MethodPost, w.url+"/token", token, nil) == http.StatusServiceUnavailable, ""
	})
	e2ekit.Eventually(t, 15*time.Second, "no router leads without ZooKeeper", func() (bool, string) {
		for _, m := range s.members {
			if m.cluster().Leader {
				return false, m.id + " leads"
			}
		}
		return true, ""
	})
	t.Logf("leadership gone %s after ZooKeeper stopped", (time.Since(stoppedAt)).Round(time.Millisecond))
	// A scale the leader asked for in its last moments may still land
	// (a loaded runner saw one within the 107 ms it took to see no
	// leader): what Marathon runs once that has settled is the state no
	// router may change while ZooKeeper is away.
	e2ekit.Eventually(t, 10*time.Second, "Marathon settles after the last leader", func() (bool, string) {
		app := s.base.existingMarathonApp(id)
		before = app
		return len(app.running()) == app.Instances && len(app.Deployments) == 0, app.String()
	})
	changes := 0
	tick := time.NewTicker(500 * time.Millisecond)
	for time.Since(stoppedAt) < 30*time.Second {
		<-tick.C
		app := s.base.existingMarathonApp(id)
		if app.Instances != before.Instances || len(app.running()) != len(before.running()) {
			changes++
			t.Errorf("Marathon changed with ZooKeeper away: %s (before: %s)", app, before)
			before = app
		}
		for _, m := range s.members {
			if c := m.cluster(); c.Leader {
				t.Errorf("%s leads with ZooKeeper away", m.id)
			}
		}
	}
	tick.Stop()
	if err := s.zk.Servers[0].Restart(); err != nil {
		t.Fatal(err)
	}
	restartedAt := time.Now()
	leader, _ := s.agreed(60 * time.Second)
	reElected := time.Since(restartedAt)
	e2ekit.Eventually(t, 30*time.Second, "token writes work again", func() (bool, string) {
		return w.view.Call(http.MethodPost, w.url+"/token", token, nil) == http.StatusOK, ""
	})
	total, failed := 0, 0
	for i, tr := range load {
		replies := tr.Stop()
		total += len(replies)
		if n, first := trafficErrors(replies); n > 0 {
			failed += n
			t.Errorf("%d of %d requests through %s failed; first: %s", n, len(replies), s.members[i].id, first)
		}
	}
	t.Logf("ZooKeeper away %s: %d requests, %d failed, %d changes in Marathon; %s led %s after it returned",
		restartedAt.Sub(stoppedAt).Round(time.Millisecond), total, failed, changes, leader.id, reElected.Round(time.Millisecond))
}
