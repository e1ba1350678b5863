package router

import (
	"context"
	"math"
	"time"

	"github.com/waiter-go/waiter"
)

// history is a ring of a service's recent samples for the dashboard. It
// grows up to its capacity and then overwrites its oldest sample, so a
// service that lives a minute costs a minute of samples, and one that
// lives for days costs HistoryWindow's worth.
type history struct {
	points []historyPoint
	cap    int
	next   int // where the next sample goes once the ring is full
}

// historyPoint is a waiter.HistorySample in 32 bytes: the driver
// keeps one per service per HistoryInterval.
type historyPoint struct {
	at                                                int64 // unix nanoseconds
	requested, desired, healthy, outstanding, waiting int32
}

func newHistory(capacity int) *history { return &history{cap: max(capacity, 1)} }

// add keeps s, dropping the oldest sample when the ring is full.
func (h *history) add(s waiter.HistorySample) {
	p := historyPoint{at: s.At.UnixNano(), requested: clamp32(s.Requested), desired: clamp32(s.Desired),
		healthy: clamp32(s.Healthy), outstanding: clamp32(s.Outstanding), waiting: clamp32(s.Waiting)}
	if len(h.points) < h.cap {
		h.points = append(h.points, p)
		return
	}
	h.points[h.next] = p
	h.next = (h.next + 1) % h.cap
}

// samples returns the kept samples, oldest first.
func (h *history) samples() []waiter.HistorySample {
	if h == nil {
		return nil
	}
	out := make([]waiter.HistorySample, 0, len(h.points))
	for i := range h.points {
		p := h.points[(h.next+i)%len(h.points)]
		out = append(out, waiter.HistorySample{At: time.Unix(0, p.at).UTC(), Requested: int(p.requested),
			Desired: int(p.desired), Healthy: int(p.healthy), Outstanding: int(p.outstanding), Waiting: int(p.waiting)})
	}
	return out
}

func clamp32(n int) int32 { return int32(min(max(n, math.MinInt32), math.MaxInt32)) }

// historyCap is how many samples cover HistoryWindow.
func (d *Driver) historyCap() int {
	return int((d.cfg.HistoryWindow + d.cfg.HistoryInterval - 1) / d.cfg.HistoryInterval)
}

// sampleLoop samples every service each HistoryInterval.
func (d *Driver) sampleLoop(ctx context.Context) {
	t := d.clk.Ticker(d.cfg.HistoryInterval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		d.do(d.sampleHistory)
	}
}

// sampleHistory adds the present to every service's history and to the
// router's totals; loop only. It reads engine.Load, which copies no
// instance list, so sampling a thousand services holds the lock briefly.
func (d *Driver) sampleHistory() {
	now := d.clk.Now()
	total := waiter.HistorySample{At: now}
	for _, id := range d.eng.ServiceIDs() {
		l, ok := d.eng.ServiceLoad(id)
		rec := d.services[id]
		if !ok || rec == nil {
			continue
		}
		s := waiter.HistorySample{At: now, Requested: l.Requested, Desired: l.Desired, Healthy: l.Healthy,
			Outstanding: l.Waiting + l.InFlight, Waiting: l.Waiting}
		if rec.history == nil {
			rec.history = newHistory(d.historyCap())
		}
		rec.history.add(s)
		total.Requested += s.Requested
		total.Desired += s.Desired
		total.Healthy += s.Healthy
		total.Outstanding += s.Outstanding
		total.Waiting += s.Waiting
	}
	if d.totals == nil {
		d.totals = newHistory(d.historyCap())
	}
	d.totals.add(total)
}

// ServiceHistory returns a service's samples, oldest first
// (waiter.HistoryKeeper).
func (d *Driver) ServiceHistory(id string) []waiter.HistorySample {
	var out []waiter.HistorySample
	d.call(func() {
		if rec := d.services[id]; rec != nil {
			out = rec.history.samples()
		}
	})
	return out
}

// TotalHistory returns the router's totals, oldest first.
func (d *Driver) TotalHistory() []waiter.HistorySample {
	var out []waiter.HistorySample
	d.call(func() { out = d.totals.samples() })
	return out
}

var _ waiter.HistoryKeeper = (*Driver)(nil)
