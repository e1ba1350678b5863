package acceptance

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"
)

// httpClient is the tests' only client. Like Waiter's test client it
// follows no redirects and leaves bodies as sent (no transparent gzip),
// and it authenticates as the OS user (bearerTransport).
var httpClient = &http.Client{
	Transport: bearerTransport{base: &http.Transport{
		Proxy:               nil,
		DialContext:         (&net.Dialer{Timeout: 5 * time.Second}).DialContext,
		MaxIdleConns:        256,
		MaxIdleConnsPerHost: 64,
		DisableCompression:  true,
	}},
	CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
}

// requestTimeout bounds one request; tests that wait longer say so.
const requestTimeout = 90 * time.Second

// response is what a test looks at: status, headers, the whole body, or
// the transport error.
type response struct {
	Status int
	Header http.Header
	Body   string
	Err    error
	// Took is the time from sending to the end of the body.
	Took time.Duration
}

// String is the diagnostic of an unexpected response, as Waiter's
// assert-response-status prints it: status, correlation id, body.
func (r response) String() string {
	if r.Err != nil {
		return "transport error: " + r.Err.Error()
	}
	body := r.Body
	if len(body) > 3000 {
		body = body[:3000] + "...(truncated)"
	}
	return fmt.Sprintf("[CID=%s server=%s] status %d after %v\n%s", r.Header.Get("x-cid"), r.Header.Get("server"),
		r.Status, r.Took.Round(time.Millisecond), body)
}

// serviceID is the service that answered, from the debug headers: the
// x-waiter-service-id header, else the backend id's prefix (Waiter's
// make-request-with-debug-info).
func (r response) serviceID() string {
	if id := r.Header.Get("x-waiter-service-id"); id != "" {
		return id
	}
	return instanceServiceID(r.instanceID())
}

// instanceID is x-waiter-backend-id: the instance that served the request.
func (r response) instanceID() string { return r.Header.Get("x-waiter-backend-id") }

func instanceServiceID(instanceID string) string {
	if i := strings.Index(instanceID, "."); i > 0 {
		return instanceID[:i]
	}
	return ""
}

// json decodes the body into v, failing the test on malformed JSON.
func (r response) json(t testing.TB, v any) {
	t.Helper()
	if err := json.Unmarshal([]byte(r.Body), v); err != nil {
		t.Fatalf("response body is not JSON (%v): %s", err, r)
	}
}

// request sends one request to the router. A "host" entry in headers
// sets the Host header; body may be nil. Transport errors are returned in
// response.Err, never reported, so that helper goroutines may call it.
func (rt *router) request(method, path string, headers map[string]string, body io.Reader) response {
	return send(rt.url, method, path, headers, body, requestTimeout)
}

func send(base, method, path string, headers map[string]string, body io.Reader, timeout time.Duration) response {
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, method, base+path, body)
	if err != nil {
		return response{Err: err}
	}
	for k, v := range headers {
		if strings.EqualFold(k, "host") {
			req.Host = v
			continue
		}
		req.Header.Set(k, v)
	}
	start := time.Now()
	resp, err := httpClient.Do(req)
	if err != nil {
		return response{Err: err, Took: time.Since(start)}
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return response{Status: resp.StatusCode, Header: resp.Header, Body: string(b), Err: err, Took: time.Since(start)}
}

// get is a GET of a Waiter API path without headers.
func (rt *router) get(path string) response { return rt.request(http.MethodGet, path, nil, nil) }

// expectStatus fails the test unless r has the status.
func expectStatus(t testing.TB, r response, want int) {
	t.Helper()
	if r.Err != nil || r.Status != want {
		t.Fatalf("expected status %d, got %s", want, r)
	}
}

// expectBody fails the test unless the body contains every part.
func expectBody(t testing.TB, r response, parts ...string) {
	t.Helper()
	for _, p := range parts {
		if !strings.Contains(r.Body, p) {
			t.Errorf("body does not contain %q: %s", p, r)
		}
	}
}
