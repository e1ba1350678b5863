package kitchen

import "sync/atomic"

// counters are the HTTP request counts /kitchen-state reports. Tests read
// pending-http-requests to see whether a cut-short request was cleaned up.
type counters struct {
	pending atomic.Int64
	total   atomic.Int64
}

func (c *counters) begin() { c.pending.Add(1); c.total.Add(1) }
func (c *counters) end()   { c.pending.Add(-1) }

// kitchenState is the /kitchen-state document. The request asking for it is
// not counted as pending, as in the original; open websockets are counted
// apart from HTTP requests.
func (h *Handler) kitchenState() map[string]any {
	return map[string]any{
		"async-requests":        h.async.snapshot(),
		"pending-http-requests": h.counters.pending.Load() - 1,
		"pending-ws-requests":   h.wsCounters.pending.Load(),
		"total-http-requests":   h.counters.total.Load(),
		"total-ws-requests":     h.wsCounters.total.Load(),
	}
}
