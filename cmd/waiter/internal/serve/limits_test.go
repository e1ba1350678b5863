package serve

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptrace"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/waiter-go/waiter/cmd/waiter/internal/config"
)

// The per-user limits of the configuration reach the engine and the token
// API: one service too many is 429, one token too many is 403, each with
// a message that says which limit.
func TestPerUserLimits(t *testing.T) {
	r := startRouter(t, nil, func(c *config.Config) {
		c.MaxServicesPerUser = 2
		c.MaxTokensPerOwner = 1
	})
	for _, name := range []string{"one", "two"} {
		status, body := read(t, r.call(t, "GET", "/", nil, service(name)...))
		wantBody(t, status, body, 200)
	}
	status, body := read(t, r.call(t, "GET", "/", nil, service("three")...))
	wantBody(t, status, body, http.StatusTooManyRequests, `User "alice" already has 2 services`, "max-services-per-user")
	// The services alice has still serve.
	status, body = read(t, r.call(t, "GET", "/", nil, service("one")...))
	wantBody(t, status, body, 200)

	token := `{"token": "NAME", "cmd": "kitchen", "cpus": 0.1, "mem": 64, "version": "v"}`
	status, body = read(t, r.call(t, "POST", "/token", strings.NewReader(strings.Replace(token, "NAME", "first", 1))))
	wantBody(t, status, body, 200)
	status, body = read(t, r.call(t, "POST", "/token", strings.NewReader(strings.Replace(token, "NAME", "second", 1))))
	wantBody(t, status, body, http.StatusForbidden, "You have reached the limit of number of tokens allowed")
}

// allowed-params [] round-trips: through the token API, and into the
// service a request through the token starts (an empty list used to
// become null, which no longer validates).
func TestEmptyAllowedParamsRoundTrip(t *testing.T) {
	r := startRouter(t, nil)
	status, body := read(t, r.call(t, "POST", "/token", strings.NewReader(
		`{"token": "ap", "cmd": "kitchen", "cpus": 0.1, "mem": 64, "version": "v", "allowed-params": []}`)))
	wantBody(t, status, body, 200)
	status, body = read(t, r.call(t, "GET", "/token?token=ap", nil))
	wantBody(t, status, body, 200, `"allowed-params": []`)
	resp := r.call(t, "GET", "/", nil, "x-waiter-token", "ap", "x-waiter-debug", "1")
	status, body = read(t, resp)
	wantBody(t, status, body, 200)
	status, body = read(t, r.call(t, "GET", "/apps/"+resp.Header.Get("x-waiter-service-id"), nil))
	wantBody(t, status, body, 200)
	sd := decode(t, body)["service-description"].(map[string]any)
	if l, ok := sd["allowed-params"].([]any); !ok || len(l) != 0 {
		t.Errorf("service-description allowed-params = %#v, want []", sd["allowed-params"])
	}
}

// Slow uploaders cannot starve a service: with one slot, three clients
// that stall mid-upload each get 408 after the streaming timeout and free
// the slot, and a request queued behind them is served.
func TestStalledUploadsFreeTheirSlot(t *testing.T) {
	r := startRouter(t, nil)
	h := service("slow-uploads", "x-waiter-max-instances", "1", "x-waiter-concurrency-level", "1",
		"x-waiter-streaming-timeout", "150")
	status, body := read(t, r.call(t, "GET", "/", nil, h...)) // the instance is up
	wantBody(t, status, body, 200)

	var wg sync.WaitGroup
	results := make(chan string, 3)
	for i := range 3 {
		pr, pw := io.Pipe()
		t.Cleanup(func() { pw.Close() })
		go func() { _, _ = pw.Write([]byte(strings.Repeat("x", 100))) }() // then nothing
		wg.Add(1)
		go func() {
			defer wg.Done()
			req, _ := http.NewRequest("POST", r.url+"/request-info", pr)
			for j := 0; j+1 < len(h); j += 2 {
				req.Header.Set(h[j], h[j+1])
			}
			resp, err := r.client.Do(req)
			if err != nil {
				results <- fmt.Sprintf("upload %d: %v", i, err)
				return
			}
			b, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			results <- fmt.Sprintf("%d %s", resp.StatusCode, b)
		}()
	}
	// Only once all three hold or wait for the slot does the request come.
	id := r.serviceID(t, h)
	deadline := time.Now().Add(10 * time.Second)
	for {
		status, body = read(t, r.call(t, "GET", "/apps/"+id, nil))
		wantBody(t, status, body, 200)
		if decode(t, body)["request-metrics"].(map[string]any)["outstanding"] == 3.0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the uploads never all reached the router:\n%s", body)
		}
		time.Sleep(5 * time.Millisecond) // polling the router's view, as in TestServiceState
	}
	status, body = read(t, r.call(t, "GET", "/", nil, append(h, "x-waiter-queue-timeout", "10000")...))
	wantBody(t, status, body, 200, "Hello World")
	wg.Wait()
	close(results)
	for res := range results {
		if !strings.HasPrefix(res, "408") || !strings.Contains(res, "Timeout receiving bytes from client") {
			t.Errorf("stalled upload answered %.200s", res)
		}
	}
}

// The listener bounds a request's header: one past max-header-bytes is
// refused with 431 before any handler runs.
func TestHeaderSizeLimit(t *testing.T) {
	r := startRouter(t, nil, func(c *config.Config) { c.MaxHeaderBytes = 8 << 10 })
	status, body := read(t, r.call(t, "GET", "/status", nil, "x-padding", strings.Repeat("p", 4<<10)))
	wantBody(t, status, body, 200)
	status, body = read(t, r.call(t, "GET", "/status", nil, "x-padding", strings.Repeat("p", 64<<10)))
	wantBody(t, status, body, http.StatusRequestHeaderFieldsTooLarge)
}

// The API limits of the configuration reach the HTTP edge: a body past
// max-api-body-bytes is 413 naming the limit.
func TestAPIBodyLimitFromConfig(t *testing.T) {
	r := startRouter(t, nil, func(c *config.Config) { c.MaxAPIBodyBytes = 64 })
	status, body := read(t, r.call(t, "POST", "/token", strings.NewReader(
		`{"token": "big", "cmd": "`+strings.Repeat("k", 100)+`", "cpus": 1, "mem": 64, "version": "v"}`)))
	wantBody(t, status, body, http.StatusRequestEntityTooLarge, "Request body exceeds the limit of 64 bytes (max-api-body-bytes)")
}

// Over h2c, a refused request whose body was not read ends its stream
// only: the connection, which other requests share, stays up.
func TestH2CRefusalKeepsTheConnection(t *testing.T) {
	r := startRouter(t, nil)
	client := h2cClient(t)
	var reused []bool
	send := func(body io.Reader, headers ...string) int {
		req, _ := http.NewRequest("POST", r.url+"/upload", body)
		setHeaders(req, headers)
		req = req.WithContext(httptrace.WithClientTrace(req.Context(), &httptrace.ClientTrace{
			GotConn: func(info httptrace.GotConnInfo) { reused = append(reused, info.Reused) }}))
		resp, err := client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		return resp.StatusCode
	}
	if status := send(strings.NewReader(strings.Repeat("x", 100000)), "x-waiter-cmd", "k", "x-waiter-cpus", "lots"); status != 400 {
		t.Fatalf("refused request: %d", status)
	}
	if status := send(strings.NewReader("ok"), service("h2c-after-refusal")...); status != 200 {
		t.Fatalf("next request: %d", status)
	}
	if len(reused) != 2 || !reused[1] {
		t.Errorf("connection reuse %v: the refusal closed the shared connection", reused)
	}
}
