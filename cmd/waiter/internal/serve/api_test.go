package serve

import (
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/waiter-go/waiter/cmd/waiter/internal/config"
)

// Token semantics through the real bbolt store, whose errors are the
// domain's and reach the HTTP edge untranslated: create, no-op, update,
// stale If-Match, soft and hard delete.
func TestTokenAPIWithStore(t *testing.T) {
	r := startRouter(t, nil)
	post := func(body string, headers ...string) *http.Response {
		return r.call(t, "POST", "/token", strings.NewReader(body), headers...)
	}
	const v1 = `{"token": "kitchen", "cmd": "kitchen", "cpus": 0.1, "mem": 64, "version": "v1"}`

	resp := post(v1)
	status, body := read(t, resp)
	wantBody(t, status, body, 200, "Successfully created kitchen")
	etag := resp.Header.Get("etag")
	if resp.Header.Get("x-waiter-operation-result") != "token-created" || !strings.HasPrefix(etag, "E-") {
		t.Fatalf("create: %v", resp.Header)
	}
	resp = post(v1)
	read(t, resp)
	if resp.Header.Get("x-waiter-operation-result") != "token-no-op" || resp.Header.Get("etag") != etag {
		t.Errorf("no-op: %v", resp.Header)
	}
	resp = post(strings.Replace(v1, "v1", "v2", 1), "If-Match", etag)
	read(t, resp)
	if resp.Header.Get("x-waiter-operation-result") != "token-updated" || resp.Header.Get("etag") == etag {
		t.Errorf("update: %v", resp.Header)
	}
	status, body = read(t, post(v1, "If-Match", etag))
	wantBody(t, status, body, 412, "Cannot modify stale token")

	// The token serves requests.
	status, body = read(t, r.call(t, "GET", "/", nil, "x-waiter-token", "kitchen"))
	wantBody(t, status, body, 200, "Hello World")
	status, body = read(t, r.call(t, "GET", "/", nil, "x-waiter-token", "nope"))
	wantBody(t, status, body, 404, "Token not found: nope")

	status, body = read(t, r.call(t, "DELETE", "/token?token=kitchen&hard-delete=true", nil))
	wantBody(t, status, body, 400, "if-match")
	status, body = read(t, r.call(t, "DELETE", "/token?token=kitchen", nil))
	wantBody(t, status, body, 200, `"success": true`)
	status, _ = read(t, r.call(t, "GET", "/token?token=kitchen", nil))
	if status != 404 {
		t.Errorf("GET soft-deleted token: %d", status)
	}
	status, body = read(t, r.call(t, "GET", "/", nil, "x-waiter-token", "kitchen"))
	wantBody(t, status, body, 404, "Token not found: kitchen")
	status, body = read(t, r.call(t, "DELETE", "/token?token=kitchen&hard-delete=true", nil))
	wantBody(t, status, body, 200, `"hard-delete": true`)
	status, _ = read(t, r.call(t, "GET", "/token?token=kitchen&include=deleted", nil))
	if status != 404 {
		t.Errorf("GET hard-deleted token: %d", status)
	}
}

func TestHostToken(t *testing.T) {
	r := startRouter(t, nil)
	status, body := read(t, r.call(t, "POST", "/token", strings.NewReader(
		`{"token": "app.example.com", "cmd": "kitchen", "cpus": 0.1, "mem": 64, "version": "h"}`)))
	wantBody(t, status, body, 200)
	status, body = read(t, r.call(t, "GET", "/request-info", nil, "Host", "app.example.com:1234"))
	wantBody(t, status, body, 200, `"host":"app.example.com:1234"`)
	// The router's own hostname is the API.
	status, body = read(t, r.call(t, "GET", "/apps", nil, "Host", "router.test:9091"))
	wantBody(t, status, body, 200, "service-id")
}

func TestServiceLifecycleAPI(t *testing.T) {
	r := startRouter(t, nil)
	h := service("lifecycle")
	status, body := read(t, r.call(t, "GET", "/", nil, h...))
	wantBody(t, status, body, 200)
	id := r.serviceID(t, h)

	status, body = read(t, r.call(t, "GET", "/apps/"+id, nil))
	wantBody(t, status, body, 200, `"status": "Running"`, `"active-instances"`)
	status, body = read(t, r.call(t, "GET", "/apps?name=lifecycle", nil))
	wantBody(t, status, body, 200, id)

	status, body = read(t, r.call(t, "POST", "/apps/"+id+"/override", strings.NewReader(`{"cmd": "x"}`)))
	wantBody(t, status, body, 400, "Unsupported override key(s): cmd")
	status, body = read(t, r.call(t, "POST", "/apps/"+id+"/override", strings.NewReader(`{"concurrency-level": 3}`)))
	wantBody(t, status, body, 200)
	status, body = read(t, r.call(t, "GET", "/apps/"+id+"?include=effective-parameters", nil))
	wantBody(t, status, body, 200)
	if eff, _ := decode(t, body)["effective-parameters"].(map[string]any); eff["concurrency-level"] != 3.0 {
		t.Errorf("effective concurrency-level %v", eff["concurrency-level"])
	}
	if got := r.serviceID(t, h); got != id {
		t.Errorf("override changed the id: %s -> %s", id, got)
	}

	status, body = read(t, r.call(t, "POST", "/apps/"+id+"/suspend", nil))
	wantBody(t, status, body, 200)
	status, body = read(t, r.call(t, "GET", "/", nil, h...))
	wantBody(t, status, body, 503, "Service has been suspended")
	status, body = read(t, r.call(t, "GET", "/apps/"+id+"/resume", nil))
	wantBody(t, status, body, 200)
	status, body = read(t, r.call(t, "GET", "/", nil, h...))
	wantBody(t, status, body, 200)

	status, body = read(t, r.call(t, "GET", "/state/"+id, nil))
	wantBody(t, status, body, 200, `"status": "Running"`)
	status, body = read(t, r.call(t, "GET", "/metrics", nil))
	wantBody(t, status, body, 200, `waiter_service_healthy_instances{service_id="`+id+`",service_name="lifecycle"} 1`)

	status, body = read(t, r.call(t, "DELETE", "/apps/"+id, nil))
	wantBody(t, status, body, 200, `"result": "deleted"`)
	r.waitOp(t, "delete", id)
	status, body = read(t, r.call(t, "DELETE", "/apps/"+id, nil))
	wantBody(t, status, body, 404, "no-such-service-exists")
	status, body = read(t, r.call(t, "GET", "/apps/"+id, nil))
	wantBody(t, status, body, 200, `"status": "Inactive"`)
}

func TestPing(t *testing.T) {
	r := startRouter(t, nil)
	h := service("ping")
	status, body := read(t, r.call(t, "GET", "/waiter-ping", nil, h...))
	wantBody(t, status, body, 200)
	got := decode(t, body)
	ping := got["ping-response"].(map[string]any)
	state := got["service-state"].(map[string]any)
	if ping["result"] != "received-response" || ping["status"] != 200.0 || ping["body"] != "ok" {
		t.Errorf("ping-response %v", ping)
	}
	if state["healthy?"] != true || state["status"] != "Running" || state["service-id"] != r.serviceID(t, h) {
		t.Errorf("service-state %v", state)
	}
	status, body = read(t, r.call(t, "GET", "/waiter-ping", nil, "x-waiter-token", "nope"))
	wantBody(t, status, body, 404, "Token not found")
}

// SIGTERM (ctx end) while a request is in flight: the request completes,
// new connections are refused, instances are stopped, Run returns nil.
func TestDrainOnShutdown(t *testing.T) {
	arrived := make(chan struct{})
	release := make(chan struct{})
	backend := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/slow" {
			close(arrived)
			<-release
		}
		_, _ = io.WriteString(w, "finished")
	})
	r := startRouter(t, backend)
	h := service("drain")
	result := make(chan string, 1)
	go func() {
		status, body := read(t, r.call(t, "GET", "/slow", nil, h...))
		result <- http.StatusText(status) + " " + body
	}()
	<-arrived
	stopped := make(chan error, 1)
	go func() { stopped <- r.stop() }()
	// New connections are refused once the listener closed; probe until so.
	for {
		resp, err := http.Get(r.url + "/status")
		if err != nil {
			break
		}
		resp.Body.Close()
	}
	close(release)
	if got := <-result; got != "OK finished" {
		t.Errorf("in-flight request got %q", got)
	}
	if err := <-stopped; err != nil {
		t.Errorf("Run: %v", err)
	}
}

// TestDrainClosesFreshConnections: a client connection that never sent a
// request must not hold up SIGTERM (http.Server.Shutdown would wait 5 s
// for it); the drain closes it and Run returns with its drain timeout
// far from spent.
func TestDrainClosesFreshConnections(t *testing.T) {
	r := startRouter(t, nil, func(c *config.Config) { c.DrainTimeout = 30 * time.Second })
	conn, err := net.Dial("tcp", strings.TrimPrefix(r.url, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	// Make sure the server has accepted it (it answers a request on a
	// second connection, so its accept loop has run past this one).
	read(t, r.call(t, "GET", "/status", nil))
	stopped := make(chan error, 1)
	go func() { stopped <- r.stop() }()
	select {
	case err := <-stopped:
		if err != nil {
			t.Fatalf("Run: %v", err)
		}
	case <-time.After(4 * time.Second): // Shutdown alone would hold it 5 s
		t.Fatal("the drain waited on a connection that never sent a request")
	}
	buf := make([]byte, 1)
	if _, err := conn.Read(buf); err == nil {
		t.Error("the fresh connection is still open after the drain")
	}
}
