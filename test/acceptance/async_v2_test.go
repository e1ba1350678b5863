package acceptance

import (
	"encoding/base64"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"
)

// Waiter's async API version 2 (/waiter-async/v2/...): the instance is
// packed into one segment, the URL-safe base64 of a JSON object naming
// host, port, proto, router-id and service-id. Waiter hands these out when
// it speaks to an instance in another protocol than the backend-proto; a
// client holding one (from a Waiter that did) must be able to follow it,
// with the same kitchen async endpoints that drive the v1 tests.

// asyncV2 rewrites the router's v1 status URL as Waiter's v2 URL for the
// same request, with proto spelled out, as route-params->uri writes it.
func asyncV2(t *testing.T, status, action, proto string) (uri, data string) {
	t.Helper()
	m := statusLocation.FindStringSubmatch(status)
	if m == nil {
		t.Fatalf("Location %q is not a v1 status URL", status)
	}
	tail := status[strings.Index(status, "/"+m[3]+"/")+len(m[3])+1:] // the instance's location and query
	data = base64.RawURLEncoding.EncodeToString([]byte(`{"host":"127.0.0.1","port":` + m[3] + `,"proto":"` + proto +
		`","router-id":"acceptance-shared","service-id":"` + m[2] + `"}`))
	return "/waiter-async/v2/" + action + "/" + m[1] + "/" + data + tail, data
}

func TestSimpleAsyncRequestV2(t *testing.T) {
	t.Parallel()
	rt := sharedRouter(t)
	// 4 s of work, not 1.5: the first status check must come before it
	// ends, even on a loaded runner (see TestSimpleAsyncRequest).
	h := asyncHeaders(t, "4000")
	id, v1, accepted := startAsync(t, rt, h)
	status, data := asyncV2(t, v1, "status", "http")
	waitOutstanding(t, rt, id, 1)

	r := rt.get(status)
	expectStatus(t, r, http.StatusOK)
	expectBody(t, r, "Still processing")

	var result string
	waitFor(t, "the v2 status to say done (303)", 10*time.Second, 100*time.Millisecond, func() (bool, string) {
		r = rt.get(status)
		result = r.Header.Get("Location")
		return r.Status == http.StatusSeeOther, r.String()
	})
	// A v2 status answers with a v2 result URL carrying the same data.
	want := regexp.MustCompile(`^/waiter-async/v2/result/[0-9a-f]{32}/` + regexp.QuoteMeta(data) + `/async/result\?request-id=[-0-9a-f]+$`)
	if !want.MatchString(result) {
		t.Fatalf("303 Location %q, want the v2 result URL with the status's request data", result)
	}
	if n := rt.outstanding(t, id); n != 1 {
		t.Errorf("%d outstanding after the 303, want 1 until the result is fetched", n)
	}
	r = rt.get(result)
	expectStatus(t, r, http.StatusOK)
	expectBody(t, r, accepted.Header.Get("x-cid"), `"done":true`)
	waitOutstanding(t, rt, id, 0)
}

func TestCancelAsyncRequestV2(t *testing.T) {
	t.Parallel()
	rt := sharedRouter(t)
	id, v1, _ := startAsync(t, rt, asyncHeaders(t, "15000"))
	status, _ := asyncV2(t, v1, "status", "http")
	waitOutstanding(t, rt, id, 1)
	expectStatus(t, rt.request(http.MethodDelete, status, nil, nil), http.StatusNoContent)
	waitOutstanding(t, rt, id, 0)
	// v1 and v2 name the same request.
	expectStatus(t, rt.get(v1), http.StatusGone)
}

// /waiter-async/v2/complete/<request-id>/<request-data> ends the request
// without asking the instance, as v1's /complete.
func TestCompleteAsyncRequestV2(t *testing.T) {
	t.Parallel()
	rt := sharedRouter(t)
	id, v1, _ := startAsync(t, rt, asyncHeaders(t, "15000"))
	m := statusLocation.FindStringSubmatch(v1)
	_, data := asyncV2(t, v1, "status", "http")
	waitOutstanding(t, rt, id, 1)
	r := rt.get("/waiter-async/v2/complete/" + m[1] + "/" + data)
	expectStatus(t, r, http.StatusOK)
	var done struct {
		RequestID string `json:"request-id"`
		Success   bool   `json:"success"`
	}
	r.json(t, &done)
	if done.RequestID != m[1] || !done.Success {
		t.Errorf("complete answered %+v, want request-id %s and success", done, m[1])
	}
	waitOutstanding(t, rt, id, 0)
}

// Bad v2 request data is the client's error, and a v2 URL reaches no
// other address than v1's does.
func TestAsyncV2RefusesBadRequestData(t *testing.T) {
	t.Parallel()
	rt := sharedRouter(t)
	id, v1, _ := startAsync(t, rt, asyncHeaders(t, "15000"))
	m := statusLocation.FindStringSubmatch(v1)
	prefix := "/waiter-async/v2/status/" + m[1] + "/"
	for name, data := range map[string]string{
		"not base64": "%21%21%21",
		"not json":   base64.RawURLEncoding.EncodeToString([]byte("host=127.0.0.1")),
		"no host":    base64.RawURLEncoding.EncodeToString([]byte(`{"port":` + m[3] + `,"router-id":"acceptance-shared","service-id":"` + id + `"}`)),
		"bad proto":  base64.RawURLEncoding.EncodeToString([]byte(`{"host":"127.0.0.1","port":` + m[3] + `,"proto":"ftp","router-id":"acceptance-shared","service-id":"` + id + `"}`)),
	} {
		r := rt.get(prefix + data + "/async/status")
		if r.Status != http.StatusBadRequest {
			t.Errorf("%s: %s, want 400", name, r)
		}
	}
	moved := base64.RawURLEncoding.EncodeToString([]byte(`{"host":"127.0.0.1","port":22,"proto":"http","router-id":"acceptance-shared","service-id":"` + id + `"}`))
	expectStatus(t, rt.get(prefix+moved+"/async/status"), http.StatusBadRequest)
	status, _ := asyncV2(t, v1, "status", "http")
	expectStatus(t, anonymous(rt, http.MethodGet, status, nil), http.StatusUnauthorized)
	expectStatus(t, rt.request(http.MethodDelete, status, nil, nil), http.StatusNoContent)
	waitOutstanding(t, rt, id, 0)
}
