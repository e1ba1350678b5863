package logthrottle

import (
	"context"
	"log/slog"
	"strings"
	"sync"
	"time"
)

// Options configure a Handler.
type Options struct {
	// Window is how long repeats of a kind are dropped after one is let
	// through (default one second).
	Window time.Duration
	// Keys are the attributes whose values tell kinds apart besides the
	// level and message (default DefaultKeys).
	Keys []string
	// MaxKinds bounds the kinds tracked at once (default 4096). Kinds
	// whose window ended are forgotten (reporting their drops) as new
	// ones come, whenever the kinds have doubled since the last sweep;
	// if at MaxKinds that frees nothing, new kinds are told apart by
	// level and message only, so memory stays bounded and a flood of
	// distinct lines is still throttled.
	MaxKinds int
}

// DefaultKeys are the attributes that tell kinds apart by default: the
// service (the driver and the edge say service-id, the shell scheduler
// service), the instance, the scheduler operation, the component and the
// HTTP status of a failed request.
var DefaultKeys = []string{"service-id", "service", "instance", "op", "component", "status"}

// DroppedKey is the attribute that reports dropped repeats.
const DroppedKey = "dropped-repeats"

// Handler is the throttling slog.Handler. Handlers derived with WithAttrs
// and WithGroup share its state.
type Handler struct {
	next  slog.Handler
	st    *state
	scope string // the attributes and groups added with WithAttrs/WithGroup
}

type state struct {
	window   time.Duration
	keys     map[string]bool
	maxKinds int

	mu    sync.Mutex
	kinds map[string]*kind
	// sweepAt is the number of kinds at which a new kind first has the
	// ended ones forgotten: twice what the last sweep kept, and at least
	// minSweepAt. Kinds of records that stopped coming (each service's
	// launch lines, say) are freed as the map grows, at a constant cost
	// per new kind, rather than held until MaxKinds.
	sweepAt int
	// fullUntil: a sweep at MaxKinds left the map full, and the next is
	// tried a window later (new kinds are coarse meanwhile), so that a
	// flood of distinct lines costs one sweep a window, not one a line.
	fullUntil time.Time
}

// minSweepAt is the fewest kinds a sweep is tried at.
const minSweepAt = 64

// kind is one kind of record: when its window started, how many repeats
// were dropped since, and the latest of them to report the count with
// (nil while none was dropped: most kinds never repeat).
type kind struct {
	since   time.Time
	dropped int
	last    *slog.Record
	next    slog.Handler
}

// New wraps next.
func New(next slog.Handler, o Options) *Handler {
	if o.Window <= 0 {
		o.Window = time.Second
	}
	if o.Keys == nil {
		o.Keys = DefaultKeys
	}
	if o.MaxKinds <= 0 {
		o.MaxKinds = 4096
	}
	keys := make(map[string]bool, len(o.Keys))
	for _, k := range o.Keys {
		keys[k] = true
	}
	return &Handler{next: next, st: &state{window: o.Window, keys: keys, maxKinds: o.MaxKinds, kinds: map[string]*kind{}, sweepAt: minSweepAt}}
}

// Enabled defers to the wrapped handler.
func (h *Handler) Enabled(ctx context.Context, l slog.Level) bool { return h.next.Enabled(ctx, l) }

// WithAttrs returns a handler sharing this one's state whose kinds also
// include attrs.
func (h *Handler) WithAttrs(attrs []slog.Attr) slog.Handler {
	var b strings.Builder
	b.WriteString(h.scope)
	for _, a := range attrs {
		b.WriteString(a.String())
		b.WriteByte(0)
	}
	return &Handler{next: h.next.WithAttrs(attrs), st: h.st, scope: b.String()}
}

// WithGroup returns a handler sharing this one's state under group name.
func (h *Handler) WithGroup(name string) slog.Handler {
	return &Handler{next: h.next.WithGroup(name), st: h.st, scope: h.scope + "(" + name + ")"}
}

// Handle passes r on unless it repeats a kind let through less than a
// window ago; the first record of a kind after drops carries their count.
func (h *Handler) Handle(ctx context.Context, r slog.Record) error {
	if r.Time.IsZero() {
		return h.next.Handle(ctx, r) // no time, no window (slog.Logger always sets one)
	}
	key := h.kindKey(r, true)
	st := h.st
	st.mu.Lock()
	k := st.kinds[key]
	if k == nil {
		var reports []*kind
		full := len(st.kinds) >= st.maxKinds
		if len(st.kinds) >= st.sweepAt || (full && !r.Time.Before(st.fullUntil)) {
			reports = st.sweep(r.Time)
			st.sweepAt = max(minSweepAt, 2*len(st.kinds))
			if full = len(st.kinds) >= st.maxKinds; full {
				st.fullUntil = r.Time.Add(st.window)
			}
		}
		if full {
			key = h.kindKey(r, false) // coarser: level and message only
			k = st.kinds[key]
		}
		if k == nil {
			k = &kind{}
			st.kinds[key] = k
		}
		if len(reports) > 0 {
			st.mu.Unlock()
			report(ctx, reports)
			st.mu.Lock()
		}
	}
	// A record stamped a little before the window's start (goroutines
	// race to log) belongs to the window.
	if k.since.IsZero() || r.Time.Sub(k.since) >= st.window {
		dropped := k.dropped
		k.since, k.dropped, k.last, k.next = r.Time, 0, nil, nil
		st.mu.Unlock()
		if dropped > 0 {
			r = r.Clone()
			r.AddAttrs(slog.Int(DroppedKey, dropped))
		}
		return h.next.Handle(ctx, r)
	}
	k.dropped++
	if k.last == nil {
		k.last = new(slog.Record)
	}
	*k.last, k.next = r.Clone(), h.next
	st.mu.Unlock()
	return nil
}

// kindKey renders what tells r's kind apart; with attrs false only the
// level and message.
func (h *Handler) kindKey(r slog.Record, attrs bool) string {
	var b strings.Builder
	b.WriteString(r.Level.String())
	b.WriteByte(0)
	b.WriteString(r.Message)
	if !attrs {
		return b.String()
	}
	b.WriteByte(0)
	b.WriteString(h.scope)
	r.Attrs(func(a slog.Attr) bool {
		if h.st.keys[a.Key] {
			b.WriteString(a.String())
			b.WriteByte(0)
		}
		return true
	})
	return b.String()
}

// sweep forgets kinds whose window ended by now and returns those with
// drops to report. The caller holds mu.
func (st *state) sweep(now time.Time) []*kind {
	var reports []*kind
	for key, k := range st.kinds {
		if now.Sub(k.since) < st.window {
			continue
		}
		if k.dropped > 0 {
			reports = append(reports, k)
		}
		delete(st.kinds, key)
	}
	return reports
}

// report writes one summary per kind: its last dropped record, with the
// number dropped.
func report(ctx context.Context, kinds []*kind) {
	for _, k := range kinds {
		r := k.last.Clone()
		r.AddAttrs(slog.Int(DroppedKey, k.dropped))
		_ = k.next.Handle(ctx, r)
	}
}

// Flush reports the repeats dropped so far (one summary line per kind,
// its last dropped record with the count) and forgets them; `waiter
// serve` calls it when it stops, so no count is lost.
func (h *Handler) Flush(ctx context.Context) {
	st := h.st
	st.mu.Lock()
	var reports []*kind
	for _, k := range st.kinds {
		if k.dropped > 0 {
			reports = append(reports, &kind{dropped: k.dropped, last: k.last, next: k.next})
			k.dropped, k.last, k.next = 0, nil, nil
		}
	}
	st.mu.Unlock()
	report(ctx, reports)
}
