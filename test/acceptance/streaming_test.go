package acceptance

import (
	"bytes"
	"crypto/sha256"
	"io"
	"math/rand/v2"
	"net/http"
	"strconv"
	"testing"
)

// Ports of streaming_test.clj: bodies of tens of megabytes stream through
// the router both ways, with and without a Content-Length.

// payload is n deterministic pseudo-random bytes: random so that no layer
// can compress or shortcut them, deterministic so a failure repeats.
func payload(n int, seed uint64) []byte {
	r := rand.New(rand.NewPCG(seed, seed))
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(r.Uint32())
	}
	return b
}

// onlyReader hides a reader's length, so the client sends the body with
// chunked transfer encoding.
type onlyReader struct{ io.Reader }

func TestStreamingLargeBodies(t *testing.T) {
	t.Parallel()
	rt := sharedRouter(t)
	echo := map[string]string{"x-waiter-name": randName(t), "x-kitchen-echo": "true"}
	rt.cleanupService(t, rt.serviceIDOf(t, kitchenHeaders(echo)))
	expectStatus(t, rt.kitchen(echo), http.StatusOK)
	plain := map[string]string{"x-waiter-name": echo["x-waiter-name"]}

	sameBytes := func(t *testing.T, what string, got string, want []byte) {
		t.Helper()
		if len(got) != len(want) || sha256.Sum256([]byte(got)) != sha256.Sum256(want) {
			t.Errorf("%s: received %d bytes (sha256 %x), want %d bytes (sha256 %x)", what, len(got),
				sha256.Sum256([]byte(got)), len(want), sha256.Sum256(want))
		}
	}

	// test-large-request: 10 MB up, the same 10 MB back. Here 24 MB.
	t.Run("large request with content-length", func(t *testing.T) {
		body := payload(24<<20, 1)
		r := rt.kitchenAt(http.MethodPost, "/endpoint", echo, bytes.NewReader(body))
		expectStatus(t, r, http.StatusOK)
		sameBytes(t, "echo", r.Body, body)
	})
	t.Run("large chunked request", func(t *testing.T) {
		body := payload(24<<20, 2)
		r := rt.kitchenAt(http.MethodPost, "/endpoint", echo, onlyReader{bytes.NewReader(body)})
		expectStatus(t, r, http.StatusOK)
		sameBytes(t, "echo", r.Body, body)
	})
	// test-successful-streaming-with-custom-settings: 40 MB down in small
	// chunks, every byte received.
	for _, path := range []string{"/chunked", "/unchunked"} {
		t.Run("large response "+path, func(t *testing.T) {
			const size = 40 * 1000 * 1000
			h := map[string]string{"x-kitchen-response-size": strconv.Itoa(size)}
			for k, v := range plain {
				h[k] = v
			}
			if path == "/chunked" {
				h["x-kitchen-chunk-size"] = strconv.Itoa(size / 4000)
			}
			r := rt.kitchenAt(http.MethodGet, path, h, nil)
			expectStatus(t, r, http.StatusOK)
			if len(r.Body) != size {
				t.Errorf("GET %s: %d bytes, want %d", path, len(r.Body), size)
			}
		})
	}
	// test-streaming: many requests of a 690 KB file, each echoed whole.
	t.Run("repeated medium requests", func(t *testing.T) {
		body := payload(690606, 3)
		for i := range 20 {
			r := rt.kitchenAt(http.MethodPost, "/endpoint", echo, bytes.NewReader(body))
			expectStatus(t, r, http.StatusOK)
			sameBytes(t, "echo #"+strconv.Itoa(i), r.Body, body)
		}
	})
}
