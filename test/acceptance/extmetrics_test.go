package acceptance

import (
	"net/http"
	"testing"
	"time"
)

// Waiter's POST /metrics/external: per-instance metrics merged by
// updated-at, kept only for running instances, shown on
// /state/router-metrics; malformed posts are 400 naming the field.
func TestExternalMetrics(t *testing.T) {
	t.Parallel()
	rt := sharedRouter(t)
	h := map[string]string{"x-waiter-name": randName(t)}
	id := rt.serviceIDOf(t, kitchenHeaders(h))
	rt.cleanupService(t, id)
	expectStatus(t, rt.kitchen(h), http.StatusOK)
	iid := rt.activeInstances(t, id)[0].ID
	now := time.Now().UTC()
	post := func(updated time.Time, count int, cluster string) response {
		return rt.postJSON(t, "/metrics/external", map[string]any{"cluster": cluster, "service-metrics": map[string]any{
			id: map[string]any{iid: map[string]any{"updated-at": updated.Format(time.RFC3339Nano),
				"metrics": map[string]any{"active-request-count": count, "last-request-time": now.Format(time.RFC3339Nano)}}}}})
	}
	r := post(now, 3, rt.id)
	expectStatus(t, r, http.StatusOK)
	expectBody(t, r, `"no-op": false`)
	expectStatus(t, post(now.Add(-time.Minute), 9, rt.id), http.StatusOK) // older: ignored
	st := rt.get("/state/router-metrics")
	expectStatus(t, st, http.StatusOK)
	var v map[string]any
	st.json(t, &v)
	if got := nested(v, "state", "external-metrics", id, iid, "metrics", "active-request-count"); got != 3.0 {
		t.Errorf("kept active-request-count %v, want 3 (the newest update)", got)
	}

	r = post(now, 1, "another-cluster")
	expectStatus(t, r, http.StatusBadRequest)
	expectBody(t, r, "different cluster")
	r = rt.postJSON(t, "/metrics/external", map[string]any{"cluster": rt.id, "service-metrics": map[string]any{
		id: map[string]any{iid: map[string]any{"updated-at": "yesterday"}}}})
	expectStatus(t, r, http.StatusBadRequest)
	expectBody(t, r, "updated-at", "ISO-8601")
	r = rt.postJSON(t, "/metrics/external", map[string]any{"cluster": rt.id, "service-metrics": map[string]any{
		"waiter-service-unknown": map[string]any{"i": map[string]any{"updated-at": now.Format(time.RFC3339),
			"metrics": map[string]any{"active-request-count": 0, "last-request-time": now.Format(time.RFC3339)}}}}})
	expectStatus(t, r, http.StatusOK)
	expectBody(t, r, `"no-op": true`)
}
