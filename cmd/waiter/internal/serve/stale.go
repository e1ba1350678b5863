package serve

import (
	"context"
	"errors"
	"log/slog"
	"time"

	"github.com/benbjohnson/clock"
	"github.com/waiter-go/waiter"
	"github.com/waiter-go/waiter/engine"
)

// staleWatch looks, every interval, at the token versions that reached
// each running service and tells the driver which services went stale and
// when they may go (Waiter's scheduler-services-gc with service->gc-time;
// the rule is engine.StaleDeadline, the same for the simulator). It owns
// only the reading of the store and the clock.
type staleWatch struct {
	store    waiter.Store
	services func() []waiter.ServiceSnapshot
	mark     func(id string, at time.Time)
	log      *slog.Logger
	sent     map[string]time.Time // what the driver was last told, by service
}

func (w *staleWatch) run(ctx context.Context, clk clock.Clock, every time.Duration) {
	if every <= 0 {
		return
	}
	t := clk.Ticker(every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			w.check()
		}
	}
}

// check tells the driver of every change of staleness since the last one.
func (w *staleWatch) check() {
	if w.sent == nil {
		w.sent = map[string]time.Time{}
	}
	seen := map[string]bool{}
	for _, svc := range w.services() {
		seen[svc.ID] = true
		at, err := w.deadline(svc.ID, svc.LastActivity)
		if err != nil {
			w.log.Warn("checking whether a service is stale", "service-id", svc.ID, "error", err)
			continue
		}
		if prev, ok := w.sent[svc.ID]; ok && prev.Equal(at) || !ok && at.IsZero() {
			continue
		}
		w.sent[svc.ID] = at
		if !at.IsZero() {
			w.log.Info("service is stale: its tokens were edited", "service-id", svc.ID, "gc-at", at)
		}
		w.mark(svc.ID, at)
	}
	for id := range w.sent {
		if !seen[id] {
			delete(w.sent, id)
		}
	}
}

// deadline is engine.StaleDeadline over the service's source tokens as
// the store holds them now; zero when the service is not stale.
func (w *staleWatch) deadline(id string, lastActive time.Time) (time.Time, error) {
	refs, err := w.store.SourceTokens(id)
	if err != nil || len(refs) == 0 {
		return time.Time{}, err
	}
	sources := make([]engine.StaleSource, 0, len(refs))
	for _, ref := range refs {
		src := engine.StaleSource{Version: ref.ETag, FallbackPeriod: engine.DefaultFallbackPeriod, StaleTimeout: engine.DefaultStaleTimeout}
		cur, err := w.store.GetToken(ref.Name, true)
		switch {
		case err == nil:
			src.Versions = append(src.Versions, engine.TokenVersion{ETag: cur.ETag, UpdatedAt: cur.LastUpdateTime()})
			if v, ok := cur.Data["fallback-period-secs"].(float64); ok {
				src.FallbackPeriod = time.Duration(v) * time.Second
			}
			if v, ok := cur.Data["stale-timeout-mins"].(float64); ok {
				src.StaleTimeout = time.Duration(v) * time.Minute
			}
			hist, err := w.store.TokenHistory(ref.Name)
			if err != nil {
				return time.Time{}, err
			}
			for _, h := range hist {
				src.Versions = append(src.Versions, engine.TokenVersion{ETag: h.ETag, UpdatedAt: h.LastUpdateTime()})
			}
		case errors.Is(err, waiter.ErrTokenNotFound):
			// hard-deleted: nothing describes the service any more
		default:
			return time.Time{}, err
		}
		sources = append(sources, src)
	}
	at, stale := engine.StaleDeadline(sources, lastActive)
	if !stale {
		return time.Time{}, nil
	}
	if at.IsZero() {
		at = time.Unix(0, 0) // nothing known: stale since long ago
	}
	return at, nil
}
