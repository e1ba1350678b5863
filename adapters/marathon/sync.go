package marathon

import (
	"context"
	"strings"
	"time"

	gomarathon "github.com/gambol99/go-marathon"
)

// driftState is an app whose instance count differs from its task count
// with no deployment running, as first seen.
type driftState struct {
	requested, scheduled int
	since                time.Time
}

// realign scales the apps whose instance count has differed from their
// task count, the same way and with no deployment, for SyncTimeout, to
// their task count (Waiter's sync-deployment maintainer, PR #338:
// Marathon can leave an app wanting tasks it will not launch).
func (s *Scheduler) realign(ctx context.Context, apps []gomarathon.Application) {
	if s.cfg.SyncTimeout < 0 {
		return
	}
	now := s.cfg.Now()
	type job struct {
		id string
		n  int
	}
	var jobs []job
	s.mu.Lock()
	seen := map[string]bool{}
	for _, app := range apps {
		id := strings.TrimPrefix(app.ID, "/")
		if !strings.HasPrefix(id, s.cfg.ServicePrefix) || app.Instances == nil {
			continue
		}
		seen[id] = true
		requested, scheduled := *app.Instances, len(app.Tasks)
		if len(app.Deployments) > 0 || requested == scheduled {
			delete(s.drift, id)
			continue
		}
		st, ok := s.drift[id]
		if !ok || st.requested != requested || st.scheduled != scheduled {
			s.drift[id] = driftState{requested: requested, scheduled: scheduled, since: now}
			continue
		}
		if now.Sub(st.since) >= s.cfg.SyncTimeout {
			jobs = append(jobs, job{id, scheduled})
			delete(s.drift, id)
		}
	}
	for id := range s.drift {
		if !seen[id] {
			delete(s.drift, id)
		}
	}
	s.mu.Unlock()
	for _, j := range jobs {
		s.log.Info("marathon: realigning an app's instance count with its tasks", "service", j.id, "instances", j.n)
		if err := s.ScaleService(ctx, j.id, j.n, false); err != nil {
			s.log.Warn("marathon: realignment failed", "service", j.id, "err", err)
		}
	}
}
