package marathon

import (
	"net/http"
	"testing"
	"time"
)

// trafficErrors counts the replies that were not 200.
func trafficErrors(replies []taggedReply) (n int, first string) {
	for _, r := range replies {
		if r.err != nil || r.status != http.StatusOK {
			if n == 0 {
				first = r.reply.String()
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
	svc := kitchenService(map[string]string{"name": "routers-leader", "max-instances": "4",
		"scale-up-factor": "0.9", "concurrency-level": "1"})
	id := survivors[0].view.start(svc)
	// The leader learns of the service from Marathon and the shared store.
	eventually(t, 20*time.Second, "the leader knows the service", func() (bool, string) {
		code := leader.view.getJSON(leader.url+"/apps/"+id, nil)
		return code == http.StatusOK, http.StatusText(code)
	})

	var load []*traffic
	for _, m := range survivors {
		load = append(load, m.view.startTraffic(svc, 2))
	}
	eventually(t, 10*time.Second, "traffic flows on both survivors", func() (bool, string) {
		return load[0].count(0) > 20 && load[1].count(0) > 20, ""
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
	var done []<-chan []reply
	for _, m := range survivors {
		done = append(done, m.view.sendConcurrently(svc, 3, map[string]string{"x-kitchen-delay-ms": "4000"}))
	}
	scaled := eventually(t, 30*time.Second, "the new leader scales up", func() (bool, string) {
		app, _ := s.base.marathonApp(id)
		return app.Instances > before.Instances, app.String()
	})
	t.Logf("scale-up under the new leader %s: Marathon instances %d -> more after %s", next.id, before.Instances,
		scaled.Round(time.Millisecond))
	for i, ch := range done {
		for _, r := range <-ch {
			if r.err != nil || r.status != http.StatusOK {
				t.Errorf("slow request through %s: %v", survivors[i].id, r)
			}
		}
	}
	total := 0
	for i, tr := range load {
		replies := tr.stop()
		total += len(replies)
		if n, first := trafficErrors(replies); n > 0 {
			t.Errorf("%d of %d requests through %s failed; first: %s", n, len(replies), survivors[i].id, first)
		}
	}
	t.Logf("%d requests through the survivors across the leader's death, none failed", total)
}
