package peerauth

import (
	"bytes"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"
)

var secret = []byte("0123456789abcdef-cluster")

// fakeNow is a settable clock for both sides.
type fakeNow struct {
	mu sync.Mutex
	t  time.Time
}

func (f *fakeNow) now() time.Time { f.mu.Lock(); defer f.mu.Unlock(); return f.t }
func (f *fakeNow) add(d time.Duration) {
	f.mu.Lock()
	f.t = f.t.Add(d)
	f.mu.Unlock()
}

func pair(t *testing.T, o VerifierOptions) (*Signer, *Verifier, *fakeNow) {
	t.Helper()
	clk := &fakeNow{t: time.Date(2026, 12, 3, 2, 0, 0, 0, time.UTC)}
	s, err := NewSigner("r1", secret, clk.now)
	if err != nil {
		t.Fatal(err)
	}
	v, err := NewVerifier("r2", secret, clk.now, o)
	if err != nil {
		t.Fatal(err)
	}
	return s, v, clk
}

func signed(t *testing.T, s *Signer, method, url, to string, body string) *http.Request {
	t.Helper()
	r := httptest.NewRequest(method, url, strings.NewReader(body))
	if err := s.Sign(r, to, []byte(body)); err != nil {
		t.Fatal(err)
	}
	return r
}

func TestVerifyAcceptsASignedRequestAndGivesTheBodyBack(t *testing.T) {
	s, v, _ := pair(t, VerifierOptions{})
	r := signed(t, s, "POST", "/waiter-router/eject?x=1", "r2", `{"instance":"i1"}`)
	from, err := v.Verify(r)
	if err != nil || from != "r1" {
		t.Fatalf("Verify = %q, %v; want r1, nil", from, err)
	}
	b, _ := io.ReadAll(r.Body)
	if string(b) != `{"instance":"i1"}` {
		t.Fatalf("body after Verify = %q", b)
	}
}

func TestVerifyRefuses(t *testing.T) {
	s, v, _ := pair(t, VerifierOptions{})
	other, _ := NewSigner("r1", []byte("another-secret-of-16+"), time.Now)
	cases := map[string]func() *http.Request{
		"no header": func() *http.Request { return httptest.NewRequest("GET", "/x", nil) },
		"two headers": func() *http.Request {
			r := signed(t, s, "GET", "/x", "r2", "")
			r.Header.Add(Header, r.Header.Get(Header))
			return r
		},
		"garbage header": func() *http.Request {
			r := httptest.NewRequest("GET", "/x", nil)
			r.Header.Set(Header, "Basic abc")
			return r
		},
		"wrong secret": func() *http.Request {
			r := httptest.NewRequest("GET", "/x", nil)
			_ = other.Sign(r, "r2", nil)
			return r
		},
		"other destination": func() *http.Request { return signed(t, s, "GET", "/x", "r3", "") },
		"body changed": func() *http.Request {
			r := signed(t, s, "POST", "/x", "r2", "a")
			r.Body = io.NopCloser(strings.NewReader("b"))
			return r
		},
		"method changed": func() *http.Request {
			r := signed(t, s, "POST", "/x", "r2", "")
			r.Method = "DELETE"
			return r
		},
		"path changed": func() *http.Request {
			r := signed(t, s, "POST", "/x", "r2", "")
			r.URL.Path = "/y"
			return r
		},
		"query changed": func() *http.Request {
			r := signed(t, s, "GET", "/x?timeout=1", "r2", "")
			r.URL.RawQuery = "timeout=2"
			return r
		},
		"source changed": func() *http.Request {
			r := signed(t, s, "GET", "/x", "r2", "")
			c, _ := ParseHeader(r.Header.Get(Header))
			c.From = "r9"
			r.Header.Set(Header, c.String())
			return r
		},
	}
	for name, mk := range cases {
		t.Run(name, func(t *testing.T) {
			if from, err := v.Verify(mk()); !errors.Is(err, ErrUnauthorized) {
				t.Fatalf("Verify = %q, %v; want ErrUnauthorized", from, err)
			}
		})
	}
}

func TestReplayWindow(t *testing.T) {
	s, v, clk := pair(t, VerifierOptions{Window: 30 * time.Second})
	// Signed 31 s ago, or 31 s ahead: outside the window.
	r := signed(t, s, "GET", "/x", "r2", "")
	clk.add(31 * time.Second)
	if _, err := v.Verify(r); !errors.Is(err, ErrUnauthorized) || !strings.Contains(err.Error(), "window") {
		t.Fatalf("late: %v", err)
	}
	r = signed(t, s, "GET", "/x", "r2", "")
	clk.add(-62 * time.Second)
	if _, err := v.Verify(r); !errors.Is(err, ErrUnauthorized) {
		t.Fatalf("early: %v", err)
	}
	// 29 s late is still inside.
	clk.add(31 * time.Second)
	r = signed(t, s, "GET", "/x", "r2", "")
	clk.add(29 * time.Second)
	if _, err := v.Verify(r); err != nil {
		t.Fatalf("inside the window: %v", err)
	}
}

func TestReplayedNonceRefused(t *testing.T) {
	s, v, clk := pair(t, VerifierOptions{})
	r := signed(t, s, "POST", "/x", "r2", "b")
	h := r.Header.Get(Header)
	if _, err := v.Verify(r); err != nil {
		t.Fatal(err)
	}
	again := httptest.NewRequest("POST", "/x", strings.NewReader("b"))
	again.Header.Set(Header, h)
	if _, err := v.Verify(again); !errors.Is(err, ErrUnauthorized) || !strings.Contains(err.Error(), "replayed") {
		t.Fatalf("replay: %v", err)
	}
	// Once the window has passed the time check refuses it instead, and the
	// cache forgets it.
	clk.add(time.Minute)
	_ = signed(t, s, "GET", "/y", "r2", "")
	v.mu.Lock()
	v.prune(clk.now())
	n := len(v.nonces)
	v.mu.Unlock()
	if n != 0 {
		t.Fatalf("%d nonces kept past the window", n)
	}
}

func TestReplayCacheIsBounded(t *testing.T) {
	s, v, clk := pair(t, VerifierOptions{MaxNonces: 3})
	for i := range 3 {
		if _, err := v.Verify(signed(t, s, "GET", "/x", "r2", "")); err != nil {
			t.Fatalf("request %d: %v", i, err)
		}
	}
	if _, err := v.Verify(signed(t, s, "GET", "/x", "r2", "")); !errors.Is(err, ErrUnauthorized) ||
		!strings.Contains(err.Error(), "full") {
		t.Fatalf("fourth inside the window: %v", err)
	}
	clk.add(31 * time.Second)
	if _, err := v.Verify(signed(t, s, "GET", "/x", "r2", "")); err != nil {
		t.Fatalf("after the window: %v", err)
	}
}

func TestBodyBound(t *testing.T) {
	s, v, _ := pair(t, VerifierOptions{MaxBody: 8})
	r := signed(t, s, "POST", "/x", "r2", "123456789")
	if _, err := v.Verify(r); !errors.Is(err, ErrBodyTooLarge) {
		t.Fatalf("Verify = %v; want ErrBodyTooLarge", err)
	}
}

func TestMiddleware(t *testing.T) {
	s, v, _ := pair(t, VerifierOptions{})
	h := v.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.WriteString(w, Caller(r.Context()))
	}))
	w := httptest.NewRecorder()
	h.ServeHTTP(w, signed(t, s, "GET", "/x", "r2", ""))
	if w.Code != 200 || w.Body.String() != "r1" {
		t.Fatalf("signed: %d %q", w.Code, w.Body)
	}
	w = httptest.NewRecorder()
	h.ServeHTTP(w, httptest.NewRequest("GET", "/x", nil))
	if w.Code != http.StatusUnauthorized || !bytes.Contains(w.Body.Bytes(), []byte("want one")) {
		t.Fatalf("unsigned: %d %q", w.Code, w.Body)
	}
}

func TestWeakSecretRefused(t *testing.T) {
	if _, err := NewSigner("r1", []byte("short"), time.Now); err == nil {
		t.Fatal("NewSigner took a 5-byte secret")
	}
	if _, err := NewVerifier("r1", nil, time.Now, VerifierOptions{}); err == nil {
		t.Fatal("NewVerifier took no secret")
	}
}
