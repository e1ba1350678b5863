package waiterhttp

import (
	"github.com/prometheus/client_golang/prometheus"

	"github.com/waiter-go/waiter"
)

// cacheGauges are waiter_cache_entries{cache=...}: how many entries each
// bounded cache of the router holds, so an operator sees them stay under
// their configured sizes (description-cache-size, service-cache-size,
// token-cache-size).
func (s *Server) cacheGauges() []prometheus.Collector {
	gauge := func(name string, f func() int) prometheus.Collector {
		return prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "waiter_cache_entries",
			Help: "Entries held by each of the router's bounded caches.", ConstLabels: prometheus.Labels{"cache": name}},
			func() float64 { return float64(f()) })
	}
	out := []prometheus.Collector{gauge("descriptions", s.descs.len), gauge("services", s.services.len)}
	if tc, ok := s.store.(waiter.TokenCacheSizer); ok {
		out = append(out, gauge("tokens", tc.CachedTokens))
	}
	return out
}
