package kitchen

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"
)

// These tests go through a real loopback socket because what they check
// (chunked framing, trailers, a body cut short, a dropped connection) only
// exists on the wire.

func TestStream_ChunkedAndUnchunked(t *testing.T) {
	h, _ := newTestHandler(HandlerConfig{})
	base, client := startServer(t, h)
	const n = 1 << 20
	for _, tc := range []struct {
		path        string
		wantChunked bool
	}{
		{"/chunked", true},
		{"/unchunked", false},
	} {
		t.Run(tc.path, func(t *testing.T) {
			resp := get(t, client, "GET", base+tc.path, map[string]string{"x-kitchen-response-size": "1048576"})
			body, err := io.ReadAll(resp.Body)
			if err != nil {
				t.Fatalf("read body: %v", err)
			}
			chunked := len(resp.TransferEncoding) == 1 && resp.TransferEncoding[0] == "chunked"
			if chunked != tc.wantChunked {
				t.Errorf("Transfer-Encoding %v, want chunked=%v", resp.TransferEncoding, tc.wantChunked)
			}
			if !tc.wantChunked && resp.ContentLength != n {
				t.Errorf("Content-Length %d, want %d", resp.ContentLength, n)
			}
			if !bytes.Equal(body, lorem(n)) {
				t.Errorf("body is %d bytes and not repeated lorem ipsum", len(body))
			}
			if resp.Header.Get("Content-Type") != "text/plain" {
				t.Errorf("Content-Type %q", resp.Header.Get("Content-Type"))
			}
		})
	}
}

func TestStream_SmallChunkedBodyStaysChunked(t *testing.T) {
	h, _ := newTestHandler(HandlerConfig{})
	base, client := startServer(t, h)
	resp := get(t, client, "GET", base+"/status", map[string]string{"x-kitchen-chunked": "true"})
	body, err := io.ReadAll(resp.Body)
	if err != nil || string(body) != "Hello World" {
		t.Fatalf("body %q (err %v)", body, err)
	}
	if len(resp.TransferEncoding) != 1 || resp.ContentLength != -1 {
		t.Errorf("Transfer-Encoding %v Content-Length %d, want chunked without a length", resp.TransferEncoding, resp.ContentLength)
	}
}

func TestStream_Gzip(t *testing.T) {
	h, _ := newTestHandler(HandlerConfig{})
	base, client := startServer(t, h)
	const n = 1 << 20
	resp := get(t, client, "GET", base+"/gzip", map[string]string{"x-kitchen-response-size": "1048576"})
	if resp.Header.Get("Content-Encoding") != "gzip" {
		t.Fatalf("Content-Encoding %q, want gzip", resp.Header.Get("Content-Encoding"))
	}
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("read: %v", err)
	}
	if resp.ContentLength != int64(len(raw)) || len(raw) >= n {
		t.Errorf("Content-Length %d for %d compressed bytes", resp.ContentLength, len(raw))
	}
	zr, err := gzip.NewReader(bytes.NewReader(raw))
	if err != nil {
		t.Fatalf("not gzip: %v", err)
	}
	plain, err := io.ReadAll(zr)
	if err != nil || !bytes.Equal(plain, lorem(n)) {
		t.Fatalf("decompressed %d bytes (err %v), want %d bytes of lorem ipsum", len(plain), err, n)
	}
}

func TestStream_FailAfterBreaksTheBody(t *testing.T) {
	h, _ := newTestHandler(HandlerConfig{})
	base, client := startServer(t, h)
	for _, tc := range []struct {
		name   string
		header map[string]string
		path   string
	}{
		{"unchunked", map[string]string{"x-kitchen-response-size": "5000", "x-kitchen-fail-after": "1000"}, "/unchunked"},
		{"chunked", map[string]string{"x-kitchen-response-size": "5000", "x-kitchen-fail-after": "1000"}, "/chunked"},
		{"chunked, cut at the exact length", map[string]string{"x-kitchen-response-size": "1000", "x-kitchen-fail-after": "1000"}, "/chunked"},
		{"zero bytes", map[string]string{"x-kitchen-fail-after": "0"}, "/status"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			resp := get(t, client, "GET", base+tc.path, tc.header)
			if resp.StatusCode != 200 {
				t.Fatalf("status %d: the break must come after the headers", resp.StatusCode)
			}
			body, err := io.ReadAll(resp.Body)
			if !errors.Is(err, io.ErrUnexpectedEOF) {
				t.Errorf("read error %v, want io.ErrUnexpectedEOF (a broken transfer)", err)
			}
			want := tc.header["x-kitchen-fail-after"]
			if got := len(body); want != "" && strings.TrimSpace(want) != itoa(got) {
				t.Errorf("got %d body bytes before the break, want %s", got, want)
			}
		})
	}
	t.Run("beyond the body is harmless", func(t *testing.T) {
		resp := get(t, client, "GET", base+"/status", map[string]string{"x-kitchen-fail-after": "12"})
		body, err := io.ReadAll(resp.Body)
		if err != nil || string(body) != "Hello World" {
			t.Errorf("body %q err %v, want a complete Hello World", body, err)
		}
	})
}

func TestStream_Trailers(t *testing.T) {
	h, _ := newTestHandler(HandlerConfig{})
	base, client := startServer(t, h)
	resp := get(t, client, "GET", base+"/chunked", map[string]string{
		"x-kitchen-response-size":       "100",
		"x-kitchen-trailer-foo":         "bar",
		"x-kitchen-trailer-grpc-status": "0",
	})
	if _, err := io.ReadAll(resp.Body); err != nil {
		t.Fatalf("read: %v", err)
	}
	if resp.Trailer.Get("Foo") != "bar" || resp.Trailer.Get("Grpc-Status") != "0" {
		t.Errorf("trailers %v, want Foo: bar and Grpc-Status: 0", resp.Trailer)
	}
}

func TestStream_ChunkedRequestGetsChunkedResponse(t *testing.T) {
	h, _ := newTestHandler(HandlerConfig{})
	base, client := startServer(t, h)
	// A reader of unknown length makes the client send the body chunked.
	payload := io.MultiReader(strings.NewReader(strings.Repeat("A", 100000)))
	req, err := http.NewRequest("POST", base+"/request-info", payload)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := client.Do(req)
	if err != nil {
		t.Fatalf("POST: %v", err)
	}
	defer func() { _ = resp.Body.Close() }()
	var info struct {
		Length  int               `json:"request-length"`
		Headers map[string]string `json:"headers"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&info); err != nil {
		t.Fatalf("decode: %v", err)
	}
	if info.Length != 100000 || info.Headers["transfer-encoding"] != "chunked" || info.Headers["content-length"] != "" {
		t.Errorf("request info: length %d headers %v, want the whole chunked body", info.Length, info.Headers)
	}
	if len(resp.TransferEncoding) != 1 || resp.TransferEncoding[0] != "chunked" {
		t.Errorf("response Transfer-Encoding %v, want chunked like the request", resp.TransferEncoding)
	}
}

func TestStream_UnchunkedRequestReportsContentLength(t *testing.T) {
	h, _ := newTestHandler(HandlerConfig{})
	base, client := startServer(t, h)
	resp, err := client.Post(base+"/request-info", "text/plain", strings.NewReader(strings.Repeat("B", 4096)))
	if err != nil {
		t.Fatalf("POST: %v", err)
	}
	defer func() { _ = resp.Body.Close() }()
	var info struct {
		Length  int               `json:"request-length"`
		Headers map[string]string `json:"headers"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&info); err != nil {
		t.Fatalf("decode: %v", err)
	}
	if info.Length != 4096 || info.Headers["content-length"] != "4096" || info.Headers["transfer-encoding"] != "" {
		t.Errorf("request info: length %d headers %v", info.Length, info.Headers)
	}
}

func TestStream_ExcludedHeadersAreNotSent(t *testing.T) {
	h, _ := newTestHandler(HandlerConfig{})
	base, client := startServer(t, h)
	// Waiter's "202 without Location" test relies on this.
	resp := get(t, client, "POST", base+"/async/request", map[string]string{"x-kitchen-exclude-headers": "location"})
	if resp.StatusCode != 202 || resp.Header.Get("Location") != "" || resp.Header.Get("X-Kitchen-Request-Id") == "" {
		t.Errorf("got %d with headers %v, want 202 without Location", resp.StatusCode, resp.Header)
	}
	// Without Content-Length the body ends with the connection, as in the
	// original; net/http's own Date and Content-Type are suppressed too.
	resp = get(t, client, "GET", base+"/status", map[string]string{"x-kitchen-exclude-headers": "content-length,date,content-type"})
	body, err := io.ReadAll(resp.Body)
	if err != nil || string(body) != "Hello World" || resp.ContentLength != -1 {
		t.Errorf("body %q err %v length %d, want Hello World delimited by close", body, err, resp.ContentLength)
	}
	for _, name := range []string{"Date", "Content-Type", "Content-Length"} {
		if _, ok := resp.Header[name]; ok {
			t.Errorf("excluded %s was sent: %v", name, resp.Header)
		}
	}
}

func TestStream_DieDropsTheConnection(t *testing.T) {
	h, exits := newTestHandler(HandlerConfig{})
	base, client := startServer(t, h)
	resp, err := client.Get(base + "/die")
	if err == nil {
		_ = resp.Body.Close()
		t.Fatalf("/die answered %d; want the connection dropped", resp.StatusCode)
	}
	if code := <-exits; code != 1 {
		t.Errorf("exit code %d, want 1", code)
	}
}

func TestStream_TerminateAfterResponseWaitsForDelivery(t *testing.T) {
	h, exits := newTestHandler(HandlerConfig{})
	base, client := startServer(t, h)
	// 32 MiB is more than loopback socket buffers hold, so while the client
	// has read only the first byte the server is still writing.
	const n = 32 << 20
	resp := get(t, client, "GET", base+"/chunked", map[string]string{
		"x-kitchen-response-size":           itoa(n),
		"x-kitchen-fail-by-terminating-jvm": "",
	})
	first := make([]byte, 1)
	if _, err := io.ReadFull(resp.Body, first); err != nil {
		t.Fatalf("read first byte: %v", err)
	}
	if len(exits) != 0 {
		t.Fatal("exited before the response was delivered")
	}
	rest, err := io.ReadAll(resp.Body)
	if err != nil || len(rest) != n-1 {
		t.Fatalf("read %d more bytes (err %v): the whole response must arrive before the exit", len(rest), err)
	}
	select {
	case code := <-exits:
		if code != 1 {
			t.Errorf("exit code %d, want 1", code)
		}
	case <-time.After(5 * time.Second): // a guard against hanging, not a synchronisation
		t.Fatal("no exit after the response was delivered")
	}
}
