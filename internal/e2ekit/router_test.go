package e2ekit

import (
	"net/http"
	"net/http/httptest"
	"testing"
	"time"
)

// fakeRouter answers / with a kitchen-like reply and the debug headers,
// and /apps/{id} with a view.
func fakeRouter(t *testing.T) *Router {
	mux := http.NewServeMux()
	mux.HandleFunc("/{$}", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("x-waiter-service-id", "svc-"+r.Header.Get("x-waiter-version"))
		w.Header().Set("x-waiter-backend-id", "instance-123456789")
		w.Header().Set("x-waiter-get-available-instance-ns", "2000000")
		_, _ = w.Write([]byte("hello"))
	})
	mux.HandleFunc("/apps/svc-1", func(w http.ResponseWriter, r *http.Request) {
		_, _ = w.Write([]byte(`{"service-id":"svc-1","status":"Running","instance-counts":{"healthy-instances":2}}`))
	})
	srv := httptest.NewServer(mux) // 127.0.0.1 on a free port
	t.Cleanup(srv.Close)
	c := NewClient()
	t.Cleanup(c.CloseIdleConnections)
	return &Router{T: t, HTTP: c, WaiterURL: srv.URL}
}

func TestSendReadsTheRoutersDebugHeaders(t *testing.T) {
	c := fakeRouter(t)
	r := c.Send(KitchenService("/bin/kitchen", map[string]string{"cpus": "2"}), nil)
	if r.Err != nil || r.Status != http.StatusOK || r.Body != "hello" || r.ServiceID != "svc-1" ||
		r.BackendID != "instance-123456789" || r.Waited != 2*time.Millisecond {
		t.Fatalf("Send = %+v", r)
	}
	if got := c.Start(KitchenService("/bin/kitchen", nil)); got != "svc-1" {
		t.Errorf("Start = %q, want svc-1", got)
	}
	a := c.App("svc-1")
	if a.ServiceID != "svc-1" || a.Status != "Running" || a.InstanceCounts.Healthy != 2 {
		t.Errorf("App = %+v", a)
	}
	if code := c.GetJSON(c.WaiterURL+"/apps/svc-2", nil); code != http.StatusNotFound {
		t.Errorf("GET an unknown app: %d, want 404", code)
	}
}

func TestKitchenServiceOverridesDefaults(t *testing.T) {
	s := KitchenService("/bin/kitchen", map[string]string{"cpus": "2", "concurrency-level": "4"})
	if s["x-waiter-cmd"] != "/bin/kitchen -p $PORT0" || s["x-waiter-cpus"] != "2" || s["x-waiter-mem"] != "64" ||
		s["x-waiter-concurrency-level"] != "4" {
		t.Errorf("KitchenService = %v", s)
	}
}

func TestTrafficTagsRepliesWithTheirPhase(t *testing.T) {
	c := fakeRouter(t)
	tr := c.StartTraffic(KitchenService("/bin/kitchen", nil), 2)
	Eventually(t, 10*time.Second, "replies in phase 0", func() (bool, string) { return tr.Count(0) >= 5, "" })
	tr.Pause()
	tr.SetPhase(1)
	tr.Resume()
	Eventually(t, 10*time.Second, "replies in phase 1", func() (bool, string) { return tr.Count(1) >= 5, "" })
	replies := tr.Stop()
	seen1 := false
	for _, r := range replies {
		if r.Status != http.StatusOK || r.At.Before(r.Sent) {
			t.Fatalf("reply %+v", r)
		}
		if r.Phase == 0 && seen1 {
			t.Fatalf("a phase-0 reply came back after the pause that ended phase 0")
		}
		seen1 = seen1 || r.Phase == 1
	}
	if last, ok := tr.Last(); !ok || last.Phase != 1 {
		t.Errorf("Last = %+v, %v; want a phase-1 reply", last, ok)
	}
	tr.Stop() // twice is safe
}

func TestLongestGap(t *testing.T) {
	t0 := time.Unix(1000, 0)
	at := func(ms int) time.Time { return t0.Add(time.Duration(ms) * time.Millisecond) }
	tr := &Traffic{replies: []TaggedReply{
		{Phase: 1, At: at(100)}, {Phase: 2, At: at(150)}, {Phase: 1, At: at(200)},
		{Phase: 1, At: at(900)}, {Phase: 1, At: at(950)},
	}}
	gap, since, ended := tr.LongestGap(1, t0, at(1000))
	if gap != 700*time.Millisecond || !since.Equal(at(200)) || len(ended) != 2 || !ended[0].At.Equal(at(900)) {
		t.Errorf("LongestGap = %s since %s, ended %v; want 700ms since +200ms, ended by the replies at +900ms", gap, since.Sub(t0), ended)
	}
	// A gap to the end of the window: nothing came back after +950ms.
	if gap, since, ended := tr.LongestGap(1, t0, at(2000)); gap != 1050*time.Millisecond || !since.Equal(at(950)) || len(ended) != 0 {
		t.Errorf("LongestGap to +2s = %s since %s, ended %v", gap, since.Sub(t0), ended)
	}
}

func TestShortID(t *testing.T) {
	if got := ShortID("abcdefghijkl"); got != "…efghijkl" {
		t.Errorf("ShortID = %q", got)
	}
	if got := ShortID("abc"); got != "abc" {
		t.Errorf("ShortID of a short id = %q", got)
	}
}
