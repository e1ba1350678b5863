package acceptance

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"testing"
	"time"
)

func (rt *router) postJSON(t testing.TB, path string, body any) response {
	t.Helper()
	b, err := json.Marshal(body)
	if err != nil {
		t.Fatal(err)
	}
	return rt.request(http.MethodPost, path, map[string]string{"content-type": "application/json"}, bytes.NewReader(b))
}

func (rt *router) ejected(t testing.TB, id string) []string {
	t.Helper()
	r := rt.get("/ejected/" + id)
	expectStatus(t, r, http.StatusOK)
	var v struct {
		Ejected []string `json:"ejected-instances"`
	}
	r.json(t, &v)
	return v.Ejected
}

// Waiter's /eject and /ejected: an idle instance is ejected for the period
// (listed, no requests until it ends); one serving a request is refused
// with 423 in-use; bad bodies are 400 and unknown instances 404.
func TestEjectInstance(t *testing.T) {
	t.Parallel()
	rt := sharedRouter(t)
	h := map[string]string{"x-waiter-name": randName(t), "x-waiter-concurrency-level": "1"}
	id := rt.serviceIDOf(t, kitchenHeaders(h))
	rt.cleanupService(t, id)
	expectStatus(t, rt.kitchen(h), http.StatusOK)
	iid := rt.activeInstances(t, id)[0].ID
	eject := func(ms int) response {
		return rt.postJSON(t, "/eject", map[string]any{"instance": map[string]any{"id": iid, "service-id": id},
			"period-in-ms": ms, "reason": "operator"})
	}

	// In use: a slow request holds the instance.
	slow := make(chan response, 1)
	slowHeaders := copyHeaders(h)
	slowHeaders["x-kitchen-delay-ms"] = "3000"
	go func() { slow <- rt.kitchen(slowHeaders) }()
	waitFor(t, "the slow request to reach the instance", 10*time.Second, 20*time.Millisecond, func() (bool, string) {
		ins := rt.activeInstances(t, id)
		return len(ins) == 1 && nested(rt.serviceSettings(t, id, nil).raw, "request-metrics", "in-flight") == 1.0, "not in flight"
	})
	r := eject(60000)
	expectStatus(t, r, http.StatusLocked)
	expectBody(t, r, "in-use", iid)
	expectStatus(t, <-slow, http.StatusOK)
	// The router releases the instance after the client has the whole
	// response; a release after the ejection below would end it (a
	// successful release un-ejects, as in Waiter), and the request that
	// should wait would be served at once.
	waitFor(t, "the slow request's release", 10*time.Second, 20*time.Millisecond, func() (bool, string) {
		return nested(rt.serviceSettings(t, id, nil).raw, "request-metrics", "in-flight") == 0.0, "still in flight"
	})

	// Idle: ejected for 2 s; a request meanwhile waits for the end. The
	// router starts the period while it handles the POST, so it ends 2 s
	// after the POST was sent at the earliest: the wait is timed from the
	// sending. Timed from the answer, an answer slow to come back (a CI
	// run's busy router: 1.1 s) made the wait look short.
	sent := time.Now()
	r = eject(2000)
	expectStatus(t, r, http.StatusOK)
	expectBody(t, r, `"eject-period": 2000`)
	if got := rt.ejected(t, id); !slices.Equal(got, []string{iid}) {
		t.Errorf("/ejected = %v, want [%s]", got, iid)
	}
	r = rt.kitchen(h)
	expectStatus(t, r, http.StatusOK)
	if waited := time.Since(sent); waited < 2*time.Second {
		t.Errorf("served %v after the POST of a 2 s ejection", waited)
	}
	if got := rt.ejected(t, id); len(got) != 0 {
		t.Errorf("/ejected after the period = %v", got)
	}

	expectStatus(t, rt.postJSON(t, "/eject", map[string]any{"instance": map[string]any{"id": iid}, "period-in-ms": 1}), http.StatusBadRequest)
	expectStatus(t, rt.postJSON(t, "/eject", map[string]any{"instance": map[string]any{"id": "nope", "service-id": id},
		"period-in-ms": 1000, "reason": "x"}), http.StatusNotFound)
	expectStatus(t, rt.get("/ejected/waiter-service-unknown"), http.StatusNotFound)
}

// Waiter's instance expire signal: the instance is flagged expired and
// the autoscaler starts a replacement, then retires it.
func TestExpireInstance(t *testing.T) {
	t.Parallel()
	rt := sharedRouter(t)
	h := map[string]string{"x-waiter-name": randName(t)}
	id := rt.serviceIDOf(t, kitchenHeaders(h))
	rt.cleanupService(t, id)
	expectStatus(t, rt.kitchen(h), http.StatusOK)
	iid := rt.activeInstances(t, id)[0].ID

	r := rt.postJSON(t, fmt.Sprintf("/apps/%s/instance/%s/expire", id, iid), nil)
	expectStatus(t, r, http.StatusOK)
	expectBody(t, r, `"signal": "expire"`)
	waitFor(t, "a replacement of the expired instance", 30*time.Second, 100*time.Millisecond, func() (bool, string) {
		var ids []string
		for _, in := range rt.activeInstances(t, id) {
			if in.Healthy && in.ID != iid {
				return true, ""
			}
			ids = append(ids, fmt.Sprint(in.ID, in.Flags))
		}
		return false, fmt.Sprint(ids)
	})
	expectStatus(t, rt.postJSON(t, fmt.Sprintf("/apps/%s/instance/nope/expire", id), nil), http.StatusNotFound)
}
