package waiterhttp

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/julienschmidt/httprouter"
	"github.com/waiter-go/waiter/engine"
)

// metrics counts what the HTTP edge sees and renders it, together with the
// router's per-service gauges, in the Prometheus text exposition format
// (version 0.0.4). It is written by hand rather than with client_golang
// because go.sum does not yet carry client_golang's dependencies; the
// output is the same format and the names would stay.
type metrics struct {
	inFlight atomic.Int64

	mu         sync.Mutex
	responses  map[[2]string]uint64 // {service-id, code}
	rejections map[string]uint64    // reason
	outcomes   map[string]uint64    // engine outcome
}

func newMetrics() *metrics {
	return &metrics{responses: map[[2]string]uint64{}, rejections: map[string]uint64{}, outcomes: map[string]uint64{}}
}

func (m *metrics) response(serviceID string, status int) {
	m.mu.Lock()
	m.responses[[2]string{serviceID, strconv.Itoa(status)}]++
	m.mu.Unlock()
}

func (m *metrics) rejected(_ string, err error) {
	reason := "other"
	var ee *engine.Error
	if errors.As(err, &ee) {
		reason = ee.Reason.String()
	}
	m.mu.Lock()
	m.rejections[reason]++
	m.mu.Unlock()
}

func (m *metrics) started() { m.inFlight.Add(1) }

func (m *metrics) finished(o engine.Outcome) {
	m.inFlight.Add(-1)
	m.mu.Lock()
	m.outcomes[o.String()]++
	m.mu.Unlock()
}

// handleMetrics is GET /metrics.
func (s *Server) handleMetrics(w http.ResponseWriter, r *http.Request, _ httprouter.Params) {
	w.Header().Set("Content-Type", "text/plain; version=0.0.4; charset=utf-8")
	s.metrics.write(w, s.router.Services())
}

func (m *metrics) write(w io.Writer, services []ServiceSnapshot) {
	p := promWriter{w: w}
	m.mu.Lock()
	p.family("waiter_responses_total", "counter", "Proxied requests answered, by service and HTTP status.")
	for _, k := range sortedPairs(m.responses) {
		p.sample("waiter_responses_total", labels("service_id", k[0], "code", k[1]), float64(m.responses[k]))
	}
	p.family("waiter_rejections_total", "counter", "Requests the engine refused, by reason.")
	for _, k := range sortedKeys(m.rejections) {
		p.sample("waiter_rejections_total", labels("reason", k), float64(m.rejections[k]))
	}
	p.family("waiter_request_outcomes_total", "counter", "Proxied requests released to the engine, by outcome.")
	for _, k := range sortedKeys(m.outcomes) {
		p.sample("waiter_request_outcomes_total", labels("outcome", k), float64(m.outcomes[k]))
	}
	m.mu.Unlock()
	p.family("waiter_requests_in_flight", "gauge", "Proxied requests currently at a backend.")
	p.sample("waiter_requests_in_flight", "", float64(m.inFlight.Load()))

	gauges := []struct {
		name, help string
		value      func(ServiceSnapshot) float64
	}{
		{"waiter_service_outstanding_requests", "Queued plus in-flight requests of a service.", func(s ServiceSnapshot) float64 { return float64(s.Waiting + s.InFlight) }},
		{"waiter_service_waiting_requests", "Requests of a service waiting for an instance.", func(s ServiceSnapshot) float64 { return float64(s.Waiting) }},
		{"waiter_service_healthy_instances", "Healthy instances of a service.", func(s ServiceSnapshot) float64 { return float64(s.Healthy()) }},
		{"waiter_service_unhealthy_instances", "Unhealthy instances of a service.", func(s ServiceSnapshot) float64 { return float64(len(s.Instances) - s.Healthy()) }},
		{"waiter_service_requested_instances", "Instances the scheduler was asked for.", func(s ServiceSnapshot) float64 { return float64(s.Requested) }},
		{"waiter_service_requests_total", "Requests admitted for a service since the router started.", func(s ServiceSnapshot) float64 { return float64(s.TotalRequests) }},
	}
	for _, g := range gauges {
		kind := "gauge"
		if strings.HasSuffix(g.name, "_total") {
			kind = "counter"
		}
		p.family(g.name, kind, g.help)
		for _, svc := range services {
			p.sample(g.name, labels("service_id", svc.ID), g.value(svc))
		}
	}
}

// promWriter writes the text exposition format.
type promWriter struct{ w io.Writer }

func (p promWriter) family(name, kind, help string) {
	fmt.Fprintf(p.w, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, kind)
}

func (p promWriter) sample(name, lbls string, v float64) {
	fmt.Fprintf(p.w, "%s%s %s\n", name, lbls, strconv.FormatFloat(v, 'g', -1, 64))
}

var labelEscaper = strings.NewReplacer(`\`, `\\`, "\n", `\n`, `"`, `\"`)

// labels renders {k1="v1",k2="v2"} from alternating names and values.
func labels(kv ...string) string {
	var b strings.Builder
	b.WriteByte('{')
	for i := 0; i+1 < len(kv); i += 2 {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(kv[i] + `="` + labelEscaper.Replace(kv[i+1]) + `"`)
	}
	b.WriteByte('}')
	return b.String()
}

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func sortedPairs[V any](m map[[2]string]V) [][2]string {
	out := make([][2]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i][0] != out[j][0] {
			return out[i][0] < out[j][0]
		}
		return out[i][1] < out[j][1]
	})
	return out
}
