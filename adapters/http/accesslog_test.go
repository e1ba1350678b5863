package waiterhttp

import (
	"bytes"
	"encoding/json"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/waiter-go/waiter"
)

// accessLines decodes the JSON access log, one entry a line.
func accessLines(t *testing.T, b *bytes.Buffer) []map[string]any {
	t.Helper()
	var out []map[string]any
	for _, l := range strings.Split(strings.TrimSpace(b.String()), "\n") {
		if l == "" {
			continue
		}
		var m map[string]any
		if err := json.Unmarshal([]byte(l), &m); err != nil {
			t.Fatalf("access log line is not JSON: %v\n%s", err, l)
		}
		out = append(out, m)
	}
	return out
}

func TestAccessLog(t *testing.T) {
	var buf bytes.Buffer
	e := newTestEdge(t, func(c *Config) { c.AccessLog = slog.New(slog.NewJSONHandler(&buf, nil)) })
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusCreated)
		_, _ = w.Write([]byte("made"))
	}))
	t.Cleanup(ts.Close)
	host, portStr, _ := net.SplitHostPort(ts.Listener.Addr().String())
	port, _ := strconv.Atoi(portStr)
	e.router.admit = func(a waiter.Admission) (waiter.Grant, error) {
		e.clock.Add(250 * time.Millisecond) // the request queues a quarter second for its instance
		return waiter.Grant{Request: 1, Service: a.Description.ID, Instance: a.Description.ID + ".7", Host: host, Port: port}, nil
	}
	wantStatus(t, e.do(t, req{method: "POST", path: "/token",
		body: `{"token": "kit", "name": "kit", "cmd": "kitchen", "cpus": 0.1, "mem": 64, "version": "v9"}`}), 200)
	wantStatus(t, e.do(t, req{path: "/make", headers: map[string]string{"x-waiter-token": "kit", "x-cid": "cid-42"}}), 201)
	e.router.admit = nil // now every request times out in the queue
	wantStatus(t, e.do(t, req{path: "/late", headers: map[string]string{"x-waiter-token": "kit"}}), 503)

	lines := accessLines(t, &buf)
	if len(lines) != 3 {
		t.Fatalf("want one entry per request (3), got %d:\n%s", len(lines), buf.String())
	}
	api, served, refused := lines[0], lines[1], lines[2]
	if api["path"] != "/token" || api["waiter-api"] != true || api["operation-result"] != "token-created" ||
		api["principal"] != testUser || api["status"] != 200.0 {
		t.Errorf("API call entry: %v", api)
	}
	id, _ := served["service-id"].(string)
	for k, want := range map[string]any{
		"msg": "request", "cid": "cid-42", "method": "GET", "path": "/make", "status": 201.0, "waiter-api": false,
		"instance-id": id + ".7", "instance-host": host, "instance-port": float64(port),
		"get-instance-latency-ns": float64(250 * time.Millisecond), "service-name": "kit", "service-version": "v9",
		"response-content-length": 4.0, "principal": testUser,
	} {
		if served[k] != want {
			t.Errorf("served entry %s = %v, want %v", k, served[k], want)
		}
	}
	if id == "" || served["handle-request-latency-ns"].(float64) < float64(250*time.Millisecond) {
		t.Errorf("served entry lacks the service or counts less than its queue time: %v", served)
	}
	if tok, _ := served["token"].([]any); len(tok) != 1 || tok[0] != "kit" {
		t.Errorf("served entry token %v, want [kit]", served["token"])
	}
	if refused["status"] != 503.0 || refused["service-id"] != id || refused["instance-id"] != nil {
		t.Errorf("refused entry names no instance: %v", refused)
	}
}

// TestAccessLogKeepsStreaming runs a real server with the access log on:
// the recorder must pass flushes through (http.ResponseController unwraps
// it), so a streamed chunk reaches the client before the backend ends.
func TestAccessLogKeepsStreaming(t *testing.T) {
	var buf bytes.Buffer
	e := newTestEdge(t, func(c *Config) { c.AccessLog = slog.New(slog.NewJSONHandler(&buf, nil)) })
	release := make(chan struct{})
	e.backend(t, func(w http.ResponseWriter, r *http.Request) {
		_, _ = w.Write([]byte("first"))
		w.(http.Flusher).Flush()
		<-release
		_, _ = w.Write([]byte("second"))
	})
	wantStatus(t, e.do(t, req{method: "POST", path: "/token",
		body: `{"token": "kit", "cmd": "kitchen", "cpus": 0.1, "mem": 64, "version": "v1"}`}), 200)
	srv := httptest.NewServer(e.srv)
	defer srv.Close()
	r, _ := http.NewRequest(http.MethodGet, srv.URL+"/stream", nil)
	r.Header.Set("x-waiter-token", "kit")
	resp, err := srv.Client().Do(r)
	if err != nil {
		close(release)
		t.Fatal(err)
	}
	defer resp.Body.Close()
	first := make([]byte, len("first"))
	got := make(chan error, 1)
	go func() { _, err := io.ReadFull(resp.Body, first); got <- err }()
	select {
	case err := <-got:
		if err != nil || string(first) != "first" {
			t.Errorf("first chunk %q, %v", first, err)
		}
	case <-time.After(10 * time.Second):
		t.Error("the first chunk did not arrive while the backend held the rest: a flush was lost")
	}
	close(release)
	rest, _ := io.ReadAll(resp.Body)
	if string(rest) != "second" {
		t.Errorf("rest %q", rest)
	}
	srv.Close() // the handler has returned: its entry is written
	if lines := accessLines(t, &buf); len(lines) < 2 || lines[len(lines)-1]["response-content-length"] != float64(len("firstsecond")) {
		t.Errorf("entries %v", lines)
	}
}
