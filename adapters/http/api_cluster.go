package waiterhttp

import (
	"context"
	"net/http"
	"sort"
	"time"

	"github.com/julienschmidt/httprouter"
	"github.com/waiter-go/waiter"
	"github.com/waiter-go/waiter/engine"
)

// handleDrain is POST /drain (admin): the router reports 503 on /status so
// an external balancer drops it, refuses new proxied requests and lets
// the ones it admitted finish (reference 4.1). GET /drain says whether it
// drains.
func (s *Server) handleDrain(w http.ResponseWriter, r *http.Request, _ httprouter.Params) {
	if r.Method == http.MethodPost {
		p, herr := s.caller(r)
		if herr != nil {
			s.writeError(w, r, herr)
			return
		}
		if !s.auth.IsAdmin(p.User) {
			s.writeError(w, r, &Error{Status: http.StatusForbidden, Message: "Only an administrator may drain the router"})
			return
		}
		s.Drain()
		s.log.Info("router draining on request", "user", p.User)
	}
	writeJSON(w, http.StatusOK, map[string]any{"router-id": s.cfg.RouterID, "draining": s.draining.Load()})
}

// countersJSON is one router's counters of a service as Waiter names them.
func countersJSON(c engine.ServiceCounters) map[string]any {
	m := map[string]any{"outstanding": c.Outstanding, "waiting-for-available-instance": c.Waiting,
		"slots-in-use": c.SlotsInUse, "slots-available": c.SlotsAvailable, "slots-received": c.SlotsReceived}
	if !c.LastRequest.IsZero() {
		m["last-request-time"] = c.LastRequest.UTC().Format(time.RFC3339Nano)
	}
	return m
}

// withCodahale adds Waiter's codahale shape to flat counters:
// counters.request-counts with outstanding, waiting and (when known, total
// >= 0) the request total, as Waiter's /apps/{id}?include=metrics has it.
func withCodahale(flat map[string]any, c engine.ServiceCounters, total int) map[string]any {
	rc := map[string]any{"outstanding": c.Outstanding, "waiting-for-available-instance": c.Waiting}
	if total >= 0 {
		rc["total"] = total
	}
	flat["counters"] = map[string]any{"request-counts": rc}
	return flat
}

// clusterMetrics is the "metrics" part of /apps/{id}?include=metrics: the
// service's counters on every router and their sum. A router outside a
// cluster answers with its own snapshot's counts.
func (s *Server) clusterMetrics(ctx context.Context, snap waiter.ServiceSnapshot) map[string]any {
	var m waiter.ClusterMetrics
	if cr, ok := s.router.(waiter.ClusterRouter); ok {
		m, _ = cr.ClusterMetrics(ctx, snap.ID)
	}
	if len(m.Routers) == 0 {
		own := engine.ServiceCounters{Service: snap.ID, Outstanding: snap.InFlight + snap.Waiting, Waiting: snap.Waiting,
			SlotsInUse: snap.InFlight, SlotsAvailable: snap.FreeSlots, LastRequest: snap.LastRequestTime}
		m.Routers = map[string]engine.ServiceCounters{s.cfg.RouterID: own}
		m.Aggregate = waiter.SumCounters(snap.ID, m.Routers)
	}
	// A router outside a cluster reports itself under its configured id.
	if c, ok := m.Routers[""]; ok && s.cfg.RouterID != "" {
		delete(m.Routers, "")
		m.Routers[s.cfg.RouterID] = c
	}
	ids := make([]string, 0, len(m.Routers))
	for id := range m.Routers {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	routers := make(map[string]any, len(ids))
	for _, id := range ids {
		total := -1 // only this router knows its request total
		if id == s.cfg.RouterID || len(ids) == 1 {
			total = int(snap.TotalRequests)
		}
		routers[id] = withCodahale(countersJSON(m.Routers[id]), m.Routers[id], total)
	}
	aggTotal := -1
	if len(ids) == 1 {
		aggTotal = int(snap.TotalRequests)
	}
	out := map[string]any{"routers": routers, "aggregate": withCodahale(countersJSON(m.Aggregate), m.Aggregate, aggTotal)}
	if len(m.Errors) > 0 {
		out["errors"] = m.Errors
	}
	return out
}

// awaitDeleted waits, up to timeout, until every router agrees a deleted
// service is gone (Waiter's routers-agree); a router alone agrees at once.
func (s *Server) awaitDeleted(ctx context.Context, id string, timeout time.Duration) (bool, string) {
	cr, ok := s.router.(waiter.ClusterRouter)
	if !ok || timeout <= 0 {
		return true, ""
	}
	ctx, cancel := s.clock.WithTimeout(ctx, timeout)
	defer cancel()
	if err := cr.AwaitDeleted(ctx, id); err != nil {
		return false, err.Error()
	}
	return true, ""
}
