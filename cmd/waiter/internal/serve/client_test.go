package serve

import (
	"context"
	"io"
	"net/http"
	"strings"
	"testing"
)

// A client that goes away is not the instance's fault: the instance is not
// ejected, and the next request is served at once.
func TestClientGoneDoesNotEject(t *testing.T) {
	arrived := make(chan struct{}, 1)
	backend := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/hang" {
			arrived <- struct{}{}
			<-r.Context().Done()
			return
		}
		_, _ = io.WriteString(w, "fine")
	})
	r := startRouter(t, backend)
	h := service("client-gone")
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		req, _ := http.NewRequestWithContext(ctx, "GET", r.url+"/hang", nil)
		setHeaders(req, h)
		resp, err := r.client.Do(req)
		if err == nil {
			resp.Body.Close()
		}
		done <- err
	}()
	<-arrived
	cancel()
	if err := <-done; err == nil {
		t.Fatal("the canceled request succeeded")
	}
	status, body := read(t, r.call(t, "GET", "/", nil, append(h, "x-waiter-queue-timeout", "2000")...))
	wantBody(t, status, body, 200, "fine")
}

// A client that stops sending its body gets 408 after the streaming
// timeout, and the instance stays in rotation.
func TestClientUploadStalls(t *testing.T) {
	r := startRouter(t, nil)
	h := service("stalled-upload")
	pr, pw := io.Pipe()
	defer pw.Close()
	go func() { _, _ = pw.Write([]byte(strings.Repeat("x", 1000))) }() // then nothing
	resp := r.call(t, "POST", "/request-info", pr, append(h, "x-waiter-streaming-timeout", "100")...)
	status, body := read(t, resp)
	wantBody(t, status, body, 408, "Timeout receiving bytes from client")
	status, body = read(t, r.call(t, "GET", "/", nil, append(h, "x-waiter-queue-timeout", "2000")...))
	wantBody(t, status, body, 200, "Hello World")
}

// After a token edit, requests stay on the previous healthy service while
// the new one starts (token fallback, through the real driver).
func TestTokenFallbackEndToEnd(t *testing.T) {
	r := startRouter(t, nil)
	token := `{"token": "fb", "cmd": "kitchen", "cpus": 0.1, "mem": 64, "version": "VERSION"}`
	post := func(version string) {
		status, body := read(t, r.call(t, "POST", "/token", strings.NewReader(strings.Replace(token, "VERSION", version, 1))))
		wantBody(t, status, body, 200)
	}
	post("v1")
	tok := []string{"x-waiter-token", "fb", "x-waiter-debug", "1"}
	resp := r.call(t, "GET", "/", nil, tok...)
	read(t, resp)
	oldID := resp.Header.Get("x-waiter-service-id")

	post("v2")
	// /service-id names the service a request would reach; during the
	// fallback period that is the old one, so ask for the newest.
	newID := r.serviceID(t, []string{"x-waiter-token", "fb", "x-waiter-fallback-period-secs", "0"})
	if newID == oldID {
		t.Fatal("the edit did not change the service")
	}
	r.sched.StartUnhealthy(newID, true)
	resp = r.call(t, "GET", "/", nil, tok...)
	status, body := read(t, resp)
	wantBody(t, status, body, 200, "Hello World")
	if got := resp.Header.Get("x-waiter-service-id"); got != oldID {
		t.Errorf("served by %s, want the previous healthy service %s", got, oldID)
	}
	r.waitOp(t, "create", newID) // the new version starts in the background
	// It was started without a request (EvStartService): none counted.
	status, body = read(t, r.call(t, "GET", "/apps/"+newID, nil))
	wantBody(t, status, body, 200)
	if app := decode(t, body); app["status"] != "Starting" || app["request-metrics"].(map[string]any)["total"] != 0.0 {
		t.Errorf("the service started in the background: status %v, request-metrics %v", app["status"], app["request-metrics"])
	}

	// Once the new service is healthy, requests go there.
	r.sched.SetHealthy(newID, true)
	resp = r.call(t, "GET", "/", nil, append(tok, "x-waiter-fallback-period-secs", "0")...)
	read(t, resp)
	if got := resp.Header.Get("x-waiter-service-id"); got != newID {
		t.Errorf("served by %s, want the new service %s", got, newID)
	}
}
