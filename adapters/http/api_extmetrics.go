package waiterhttp

import (
	"net/http"
	"time"

	"github.com/julienschmidt/httprouter"
	"github.com/waiter-go/waiter"
)

// handleExternalMetrics is POST /metrics/external (Waiter's
// handle-external-metrics-request): {"cluster": name, "service-metrics":
// {service-id: {instance-id: metric}}}, every metric checked as Waiter
// checks it (400 naming the field), merged per instance by updated-at;
// {"no-op": true} when nothing concerned a service or instance the router
// runs.
func (s *Server) handleExternalMetrics(w http.ResponseWriter, r *http.Request, _ httprouter.Params) {
	body, herr := readJSONObject(r)
	if herr != nil {
		s.writeError(w, r, herr)
		return
	}
	if c, _ := body["cluster"].(string); c != s.cfg.Cluster {
		s.writeError(w, r, &Error{Status: http.StatusBadRequest, Message: "Metrics are for a different cluster.",
			Details: map[string]any{"cluster": body["cluster"]}})
		return
	}
	services, _ := body["service-metrics"].(map[string]any)
	incoming := map[string]map[string]extMetric{}
	for sid, v := range services {
		insts, ok := v.(map[string]any)
		if !ok {
			s.writeError(w, r, badRequest("Invalid 'service-metrics."+sid+"' field. Must be a map of instance ids to metrics."))
			return
		}
		for iid, v := range insts {
			m, herr := parseExtMetric(sid, iid, v)
			if herr != nil {
				s.writeError(w, r, herr)
				return
			}
			if incoming[sid] == nil {
				incoming[sid] = map[string]extMetric{}
			}
			incoming[sid][iid] = m
		}
	}
	noop := true
	latest := s.extMetrics.merge(incoming, s.router.Service, s.clock.Now())
	for sid := range incoming {
		if _, ok := latest[sid]; ok {
			noop = false
		}
	}
	if rep, ok := s.router.(waiter.ActivityReporter); ok {
		for sid, at := range latest {
			rep.ReportActivity(sid, at)
		}
	}
	writeJSON(w, http.StatusOK, map[string]any{"no-op": noop})
}

func parseExtMetric(sid, iid string, v any) (extMetric, *Error) {
	field := func(path string) string { return "Invalid '" + sid + "." + iid + "." + path + "' field. " }
	m, _ := v.(map[string]any)
	updated, err := isoTime(m["updated-at"])
	if err != nil {
		return extMetric{}, badRequest(field("updated-at") + "Must be ISO-8601 time.")
	}
	metrics, _ := m["metrics"].(map[string]any)
	last, err := isoTime(metrics["last-request-time"])
	if err != nil {
		return extMetric{}, badRequest(field("metrics.last-request-time") + "Must be ISO-8601 time.")
	}
	n, ok := metrics["active-request-count"].(float64)
	if !ok || n < 0 || n != float64(int64(n)) {
		return extMetric{}, badRequest(field("metrics.active-request-count") + "Must be non-negative integer.")
	}
	return extMetric{updatedAt: updated, raw: m, lastReq: last}, nil
}

func isoTime(v any) (time.Time, error) {
	s, _ := v.(string)
	return time.Parse(time.RFC3339Nano, s)
}

// handleRouterMetricsState is GET /state/router-metrics: the external
// metrics this router keeps, as Waiter's router-metrics state has them.
func (s *Server) handleRouterMetricsState(w http.ResponseWriter, r *http.Request) {
	ext, updated := s.extMetrics.view()
	last := map[string]any{}
	if !updated.IsZero() {
		last[s.cfg.RouterID] = updated.UTC().Format(time.RFC3339Nano)
	}
	writeJSON(w, http.StatusOK, map[string]any{"router-id": s.cfg.RouterID,
		"state": map[string]any{"external-metrics": ext, "last-update-times": last}})
}
