package kitchen

import (
	"bytes"
	"context"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strconv"
	"testing"
)

// exitRecorder stands in for os.Exit so tests can see that the kitchen
// asked to die, and with which code, without dying.
type exitRecorder chan int

func newExitRecorder() exitRecorder { return make(exitRecorder, 8) }

func (e exitRecorder) exit(code int) { e <- code }

// newTestHandler returns a handler whose exit is recorded and whose
// environment is env.
func newTestHandler(cfg HandlerConfig) (*Handler, exitRecorder) {
	exits := newExitRecorder()
	cfg.Exit = exits.exit
	if cfg.Environ == nil {
		cfg.Environ = func() []string { return nil }
	}
	return NewHandler(cfg), exits
}

// do serves one request in-process.
func do(h http.Handler, method, target string, body []byte, header map[string]string) *httptest.ResponseRecorder {
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req := httptest.NewRequest(method, target, rd)
	for k, v := range header {
		req.Header.Set(k, v)
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec
}

// lorem returns the first n bytes of repeated lorem ipsum, the content the
// generated bodies must have.
func lorem(n int) []byte {
	return bytes.Repeat(loremIpsum, n/len(loremIpsum)+1)[:n]
}

var uuidPattern = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)

// startServer serves h on a free loopback port until the test ends, and
// returns its base URL and a client that neither pools connections nor
// decompresses (tests look at the bytes the kitchen sent).
func startServer(t *testing.T, h *Handler) (string, *http.Client) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("listen: %v", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- Serve(ctx, ln, h) }()
	client := &http.Client{Transport: &http.Transport{DisableCompression: true, DisableKeepAlives: true}}
	t.Cleanup(func() {
		client.CloseIdleConnections()
		cancel()
		if err := <-done; err != nil {
			t.Errorf("Serve returned %v after cancel, want nil", err)
		}
	})
	return "http://" + ln.Addr().String(), client
}

// get sends a request through client and fails the test on a transport error.
func get(t *testing.T, client *http.Client, method, url string, header map[string]string) *http.Response {
	t.Helper()
	req, err := http.NewRequest(method, url, nil)
	if err != nil {
		t.Fatalf("new request: %v", err)
	}
	for k, v := range header {
		req.Header.Set(k, v)
	}
	resp, err := client.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, url, err)
	}
	t.Cleanup(func() { _ = resp.Body.Close() })
	return resp
}

func itoa(n int) string { return strconv.Itoa(n) }
