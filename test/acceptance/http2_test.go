package acceptance

import (
	"context"
	"io"
	"net/http"
	"strings"
	"testing"
)

// HTTP/2 through the router (proto_test.clj, trailers_test.clj): clients
// speak HTTP/2 over TLS (ALPN h2) or in clear (h2c, prior knowledge), and
// services choose how the router speaks to them with backend-proto.

// sendVia is one request with client c to base+path; it returns the
// response with its body read.
func sendVia(t *testing.T, c *http.Client, base, method, path string, headers map[string]string) (*http.Response, string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), requestTimeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, method, base+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range headers {
		req.Header.Set(k, v)
	}
	resp, err := c.Do(req)
	if err != nil {
		t.Fatalf("%s %s%s: %v", method, base, path, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("%s %s%s: reading the body: %v", method, base, path, err)
	}
	return resp, string(b)
}

// The TLS listener speaks HTTP/2 to clients that offer h2 and HTTP/1.1 to
// those that do not, for proxied requests and the API alike.
func TestTLSListenerHTTP2AndHTTP1(t *testing.T) {
	t.Parallel()
	rt := sharedRouter(t)
	h := map[string]string{"x-waiter-name": randName(t)}
	rt.cleanupService(t, rt.serviceIDOf(t, kitchenHeaders(h)))

	resp, body := sendVia(t, h2Client(), rt.tlsURL(), http.MethodGet, "/hello", kitchenHeaders(h))
	if resp.StatusCode != http.StatusOK || body != "Hello World" || resp.Proto != "HTTP/2.0" {
		t.Fatalf("GET /hello over h2: %s %s %q, want 200 HTTP/2.0 \"Hello World\"", resp.Proto, resp.Status, body)
	}
	if got := resp.Header.Get("x-waiter-client-protocol"); got != "HTTP/2.0" {
		t.Errorf("x-waiter-client-protocol %q, want HTTP/2.0", got)
	}
	h1 := protoClient(func(p *http.Protocols) { p.SetHTTP1(true) })
	resp, body = sendVia(t, h1, rt.tlsURL(), http.MethodGet, "/hello", kitchenHeaders(h))
	if resp.StatusCode != http.StatusOK || body != "Hello World" || resp.Proto != "HTTP/1.1" {
		t.Errorf("GET /hello over TLS with http/1.1: %s %s %q", resp.Proto, resp.Status, body)
	}
	resp, body = sendVia(t, h2Client(), rt.tlsURL(), http.MethodGet, "/apps", nil)
	if resp.StatusCode != http.StatusOK || resp.Proto != "HTTP/2.0" {
		t.Errorf("GET /apps over h2: %s %s %.200s", resp.Proto, resp.Status, body)
	}
}

// test-http|https|h2c|h2-backend-proto-service, with an h2c client: the
// router reaches each kitchen in its backend-proto (kitchen --tls serves
// https and h2) and the client's HTTP/2 is independent of it.
func TestBackendProtos(t *testing.T) {
	t.Parallel()
	rt := sharedRouter(t)
	for _, tc := range []struct{ proto, args, internal string }{
		{"http", "", "HTTP/1.1"},
		{"https", " --tls", "HTTP/1.1"},
		{"h2c", "", "HTTP/2.0"},
		{"h2", " --tls", "HTTP/2.0"},
	} {
		t.Run(tc.proto, func(t *testing.T) {
			t.Parallel()
			h := map[string]string{"x-waiter-name": randName(t), "x-waiter-backend-proto": tc.proto,
				"x-waiter-cmd": kitchenCmd("-p $PORT0" + tc.args)}
			rt.cleanupService(t, rt.serviceIDOf(t, kitchenHeaders(h)))
			resp, body := sendVia(t, h2cClient(), rt.url, http.MethodGet, "/request-info", kitchenHeaders(h))
			if resp.StatusCode != http.StatusOK || resp.Proto != "HTTP/2.0" {
				t.Fatalf("GET /request-info over h2c: %s %s %.300s", resp.Proto, resp.Status, body)
			}
			if got := resp.Header.Get("x-waiter-internal-protocol"); got != tc.internal {
				t.Errorf("x-waiter-internal-protocol %q, want %s", got, tc.internal)
			}
			if got := resp.Header.Get("x-waiter-backend-proto"); got != tc.proto {
				t.Errorf("x-waiter-backend-proto %q, want %s", got, tc.proto)
			}
			if !strings.Contains(body, `"x-cid"`) {
				t.Errorf("request-info does not show the request the kitchen got: %.300s", body)
			}
		})
	}
}

// trailers_test.clj: a response's trailers reach the client whatever
// HTTP the client and the backend speak.
func TestTrailersPreserved(t *testing.T) {
	t.Parallel()
	rt := sharedRouter(t)
	h1 := &http.Client{Transport: httpClient.Transport, Timeout: requestTimeout}
	for _, backend := range []string{"http", "h2c"} {
		h := map[string]string{"x-waiter-name": randName(t), "x-waiter-backend-proto": backend}
		rt.cleanupService(t, rt.serviceIDOf(t, kitchenHeaders(h)))
		for name, client := range map[string]*http.Client{"HTTP/1.1": h1, "h2c": h2cClient()} {
			t.Run(name+" client, "+backend+" backend", func(t *testing.T) {
				req := kitchenHeaders(h)
				req["x-kitchen-chunked"] = "true"
				req["x-kitchen-trailer-x-result"] = "ok"
				req["x-kitchen-trailer-x-checksum"] = "1234"
				resp, body := sendVia(t, client, rt.url, http.MethodGet, "/hello", req)
				if resp.StatusCode != http.StatusOK || body != "Hello World" {
					t.Fatalf("%s %q", resp.Status, body)
				}
				if resp.Trailer.Get("x-result") != "ok" || resp.Trailer.Get("x-checksum") != "1234" {
					t.Errorf("trailers %v, want x-result: ok and x-checksum: 1234", resp.Trailer)
				}
			})
		}
	}
}

// An https-redirect token is served on the TLS listener, and redirected
// on the plain one.
func TestHTTPSRedirectTokenServedOverTLS(t *testing.T) {
	t.Parallel()
	rt := sharedRouter(t)
	token := tokenName(t)
	d := kitchenParams()
	d["token"], d["name"], d["https-redirect"] = token, randName(t), true
	rt.cleanupToken(t, token)
	expectStatus(t, rt.postToken(t, d, nil, ""), http.StatusOK)
	h := map[string]string{"x-waiter-token": token, "x-waiter-debug": "true"}

	r := rt.request(http.MethodGet, "/hello", h, nil)
	expectStatus(t, r, http.StatusMovedPermanently)
	resp, body := sendVia(t, h2Client(), rt.tlsURL(), http.MethodGet, "/hello", h)
	if resp.StatusCode != http.StatusOK || body != "Hello World" {
		t.Fatalf("GET /hello over TLS for an https-redirect token: %s %q, want 200 \"Hello World\"", resp.Status, body)
	}
	rt.cleanupService(t, resp.Header.Get("x-waiter-service-id"))
}
