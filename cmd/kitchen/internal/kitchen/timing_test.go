package kitchen

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"testing"
	"testing/synctest"
	"time"
)

// These tests run in a synctest bubble: time is fake and only moves when
// every goroutine is blocked, so a handler's sleep of N ms takes exactly N ms
// of bubble time and no real time, and timers fire at exact instants.

func TestTiming_SleepPath(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h, _ := newTestHandler(HandlerConfig{})
		start := time.Now()
		rec := do(h, "GET", "/sleep?sleep-ms=1500&status=201", nil, nil)
		if got := time.Since(start); got != 1500*time.Millisecond {
			t.Errorf("/sleep took %v, want 1.5s", got)
		}
		if rec.Code != 201 {
			t.Errorf("status %d, want 201", rec.Code)
		}
	})
}

func TestTiming_DelayHeader(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h, _ := newTestHandler(HandlerConfig{})
		start := time.Now()
		rec := do(h, "POST", "/endpoint", nil, map[string]string{"x-kitchen-delay-ms": "750"})
		if got := time.Since(start); got != 750*time.Millisecond {
			t.Errorf("x-kitchen-delay-ms 750 took %v", got)
		}
		if rec.Code != 200 || rec.Body.String() != "Hello World" {
			t.Errorf("got %d %q after the delay", rec.Code, rec.Body)
		}
	})
}

func TestTiming_DieAfter(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h, exits := newTestHandler(HandlerConfig{})
		rec := do(h, "GET", "/endpoint", nil, map[string]string{"x-kitchen-die-after-ms": "500"})
		if rec.Code != 200 {
			t.Fatalf("the request arming the exit got %d, want a normal 200", rec.Code)
		}
		time.Sleep(499 * time.Millisecond)
		synctest.Wait()
		if len(exits) != 0 {
			t.Fatal("exited before 500 ms")
		}
		time.Sleep(time.Millisecond)
		synctest.Wait()
		if len(exits) != 1 || <-exits != 1 {
			t.Fatal("did not exit with 1 at 500 ms")
		}
	})
}

func TestTiming_ChunkDelay(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h, _ := newTestHandler(HandlerConfig{})
		start := time.Now()
		rec := do(h, "GET", "/unchunked", nil, map[string]string{
			"x-kitchen-response-size": "30",
			"x-kitchen-chunk-size":    "10",
			"x-kitchen-chunk-delay":   "100",
		})
		// Three chunks, each followed by the delay, as in the original.
		if got := time.Since(start); got != 300*time.Millisecond {
			t.Errorf("3 chunks with 100 ms delay took %v, want 300ms", got)
		}
		if rec.Body.String() != string(lorem(30)) {
			t.Errorf("body %q", rec.Body)
		}
	})
}

func TestTiming_DefaultStatusChange(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h, _ := newTestHandler(HandlerConfig{EnableStatusChange: true})
		statusCode := func() int { return do(h, "GET", "/status", nil, nil).Code }

		rec := do(h, "GET", "/hello", nil, map[string]string{
			"x-kitchen-default-status-value":   "400",
			"x-kitchen-default-status-timeout": "1000",
		})
		if rec.Code != 400 {
			t.Errorf("the changing request got %d, want the new default 400", rec.Code)
		}
		if got := statusCode(); got != 400 {
			t.Errorf("/status %d after the change, want 400 (failing health checks)", got)
		}
		// A path or header that sets a status still wins.
		if got := do(h, "GET", "/bad-status?status=418", nil, nil).Code; got != 418 {
			t.Errorf("/bad-status?status=418 gave %d", got)
		}
		time.Sleep(time.Second)
		synctest.Wait()
		if got := statusCode(); got != 200 {
			t.Errorf("/status %d after the timeout, want 200", got)
		}

		// A later change is not undone by an earlier change's timer.
		do(h, "GET", "/", nil, map[string]string{"x-kitchen-default-status-value": "400", "x-kitchen-default-status-timeout": "1000"})
		time.Sleep(500 * time.Millisecond)
		do(h, "GET", "/", nil, map[string]string{"x-kitchen-default-status-value": "500"})
		time.Sleep(time.Second)
		synctest.Wait()
		if got := statusCode(); got != 500 {
			t.Errorf("/status %d, want 500 (set without a timeout after the first change)", got)
		}
	})
}

func TestTiming_AsyncLifecycle(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h, _ := newTestHandler(HandlerConfig{})
		created := time.Now()
		rec := do(h, "POST", "/async/request", nil, map[string]string{
			"x-kitchen-delay-ms":                "2000",
			"x-kitchen-store-async-response-ms": "1000",
			"x-cid":                             "cid-7",
		})
		id := rec.Header().Get("X-Kitchen-Request-Id")
		if rec.Code != http.StatusAccepted || !uuidPattern.MatchString(id) {
			t.Fatalf("create: %d with request id %q, want 202 and a UUID", rec.Code, id)
		}
		if got, want := rec.Header().Get("Location"), "/async/status?request-id="+id; got != want {
			t.Errorf("Location %q, want %q", got, want)
		}
		if rec.Body.String() != "Accepted request "+id {
			t.Errorf("body %q", rec.Body)
		}

		status := func() httpResult { return result(do(h, "GET", "/async/status?request-id="+id, nil, nil)) }
		if got := status(); got.code != 200 || got.body != "Still processing request-id "+id {
			t.Errorf("status while processing: %+v", got)
		}

		time.Sleep(2 * time.Second)
		synctest.Wait()
		got := status()
		if got.code != http.StatusSeeOther || got.location != "/async/result?request-id="+id {
			t.Errorf("status when done: %+v, want 303 to the result", got)
		}
		res := do(h, "GET", "/async/result?request-id="+id, nil, nil)
		var doc map[string]any
		if err := json.Unmarshal(res.Body.Bytes(), &doc); err != nil {
			t.Fatalf("result is not JSON: %v: %s", err, res.Body)
		}
		if doc["status"] != 200.0 || doc["done"] != true || doc["cid"] != "cid-7" ||
			doc["processing-time"] != 2000.0 || doc["linger-ms"] != 1000.0 ||
			doc["received"] != created.Format(isoLocal) || doc["expires"] != created.Add(time.Second).Format(isoLocal) {
			t.Errorf("result %v", doc)
		}

		time.Sleep(time.Second) // the result lingers 1 s after completion
		synctest.Wait()
		if got := status(); got.code != http.StatusGone {
			t.Errorf("status after linger: %+v, want 410", got)
		}
		res = do(h, "GET", "/async/result?request-id="+id, nil, nil)
		if res.Code != 404 || res.Body.String() != `{"status":404}` {
			t.Errorf("result after linger: %d %s, want 404 {\"status\":404}", res.Code, res.Body)
		}
	})
}

func TestTiming_AsyncDefaultsAndState(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h, _ := newTestHandler(HandlerConfig{})
		do(h, "POST", "/async/request", nil, map[string]string{"x-kitchen-request-id": "job-1"})
		var state struct {
			Async map[string]asyncEntry `json:"async-requests"`
		}
		if err := json.Unmarshal(do(h, "GET", "/kitchen-state", nil, nil).Body.Bytes(), &state); err != nil {
			t.Fatalf("decode: %v", err)
		}
		if e, ok := state.Async["job-1"]; !ok || e.Done || e.ProcessingTime != 20000 || e.LingerMS != 10000 {
			t.Fatalf("kitchen-state async-requests %+v, want job-1 pending with the 20 s / 10 s defaults", state.Async)
		}
		time.Sleep(20*time.Second - time.Millisecond)
		synctest.Wait()
		if got := do(h, "GET", "/async/status?request-id=job-1", nil, nil).Code; got != 200 {
			t.Errorf("status %d just before 20 s, want 200", got)
		}
		time.Sleep(time.Millisecond)
		synctest.Wait()
		if got := do(h, "GET", "/async/status?request-id=job-1", nil, nil).Code; got != 303 {
			t.Errorf("status %d at 20 s, want 303", got)
		}
		time.Sleep(10 * time.Second)
		synctest.Wait()
		if got := do(h, "GET", "/async/status?request-id=job-1", nil, nil).Code; got != 410 {
			t.Errorf("status %d after the 10 s linger, want 410", got)
		}
	})
}

func TestTiming_AsyncCancel(t *testing.T) {
	for _, tc := range []struct {
		name     string
		header   map[string]string
		want     int
		wantBody string
		gone     bool
	}{
		{"default 204", nil, 204, "", true},
		{"200 on request", map[string]string{"x-kitchen-204-on-async-cancel": "false"}, 200, "Deleted request-id job", true},
		{"refused", map[string]string{"x-kitchen-allow-async-cancel": "false"}, 405, "Cancellation not supported!", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				h, _ := newTestHandler(HandlerConfig{})
				do(h, "POST", "/async/request", nil, map[string]string{"x-kitchen-request-id": "job"})
				rec := do(h, "DELETE", "/async/status?request-id=job", nil, tc.header)
				if rec.Code != tc.want || rec.Body.String() != tc.wantBody {
					t.Fatalf("DELETE: %d %q, want %d %q", rec.Code, rec.Body, tc.want, tc.wantBody)
				}
				wantStatus := 200
				if tc.gone {
					wantStatus = 410
				}
				if got := do(h, "GET", "/async/status?request-id=job", nil, nil).Code; got != wantStatus {
					t.Errorf("status after DELETE %d, want %d", got, wantStatus)
				}
				// A cancelled request's timers must not resurrect or touch a
				// new request reusing the id.
				if tc.gone {
					do(h, "POST", "/async/request", nil, map[string]string{"x-kitchen-request-id": "job", "x-kitchen-delay-ms": "60000"})
					time.Sleep(30 * time.Second)
					synctest.Wait()
					if got := do(h, "GET", "/async/status?request-id=job", nil, nil).Code; got != 200 {
						t.Errorf("reused id: status %d at 30 s of 60 s, want 200 (old timers ignored)", got)
					}
				}
			})
		})
	}
}

func TestTiming_AsyncMissingID(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h, _ := newTestHandler(HandlerConfig{})
		for _, target := range []string{"/async/status", "/async/result"} {
			if rec := do(h, "GET", target, nil, nil); rec.Code != 400 || rec.Body.String() != "Missing request-id" {
				t.Errorf("%s: %d %q, want 400 Missing request-id", target, rec.Code, rec.Body)
			}
		}
		if rec := do(h, "GET", "/async/status?request-id=nope", nil, nil); rec.Code != 410 {
			t.Errorf("unknown id: %d, want 410", rec.Code)
		}
	})
}

type httpResult struct {
	code           int
	body, location string
}

func result(rec *httptest.ResponseRecorder) httpResult {
	return httpResult{code: rec.Code, body: rec.Body.String(), location: rec.Header().Get("Location")}
}
