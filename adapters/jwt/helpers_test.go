package jwt

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/lestrrat-go/jwx/v3/jwa"
	"github.com/lestrrat-go/jwx/v3/jwk"
	"github.com/lestrrat-go/jwx/v3/jwt"
)

const (
	testIssuer   = "https://issuer.test"
	testAudience = "waiter.test"
)

// signer is an issuer's key pair: it signs tokens and publishes its
// public half in a JWKS.
type signer struct {
	kid    string
	alg    jwa.SignatureAlgorithm
	priv   jwk.Key
	public jwk.Key
	rsa    *rsa.PrivateKey // for the HS/RS confusion test
}

func newRSASigner(t testing.TB, kid string) *signer {
	t.Helper()
	raw, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	s := newSigner(t, kid, jwa.RS256(), raw)
	s.rsa = raw
	return s
}

func newECSigner(t testing.TB, kid string) *signer {
	t.Helper()
	raw, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	return newSigner(t, kid, jwa.ES256(), raw)
}

func newSigner(t testing.TB, kid string, alg jwa.SignatureAlgorithm, raw any) *signer {
	t.Helper()
	priv, err := jwk.Import(raw)
	if err != nil {
		t.Fatal(err)
	}
	if err := priv.Set(jwk.KeyIDKey, kid); err != nil {
		t.Fatal(err)
	}
	pub, err := priv.PublicKey()
	if err != nil {
		t.Fatal(err)
	}
	return &signer{kid: kid, alg: alg, priv: priv, public: pub}
}

// claims are a valid token's claims at now; tests change them.
func claims(now time.Time) map[string]any {
	return map[string]any{
		"iss": testIssuer, "aud": testAudience, "sub": "alice@example.test",
		"iat": now.Unix(), "exp": now.Add(time.Hour).Unix(),
	}
}

// sign makes a compact JWT of c with the signer's key and kid.
func (s *signer) sign(t testing.TB, c map[string]any) string {
	t.Helper()
	tok := jwt.New()
	for k, v := range c {
		if k == "exp" || k == "nbf" || k == "iat" {
			v = time.Unix(v.(int64), 0)
		}
		if err := tok.Set(k, v); err != nil {
			t.Fatal(err)
		}
	}
	b, err := jwt.Sign(tok, jwt.WithKey(s.alg, s.priv))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// rsaPublicPEM is the signer's public key as a PEM file holds it: the
// bytes an attacker who knows the public key would HMAC with.
func (s *signer) rsaPublicPEM(t testing.TB) []byte {
	t.Helper()
	der, err := x509.MarshalPKIXPublicKey(&s.rsa.PublicKey)
	if err != nil {
		t.Fatal(err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der})
}

// unsigned builds header.payload. with an empty signature (alg none).
func unsigned(t testing.TB, header, payload map[string]any) string {
	t.Helper()
	enc := func(v any) string {
		b, err := json.Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		return base64.RawURLEncoding.EncodeToString(b)
	}
	return enc(header) + "." + enc(payload) + "."
}

// jwks is the public key set of the signers.
func jwks(t testing.TB, signers ...*signer) []byte {
	t.Helper()
	set := jwk.NewSet()
	for _, s := range signers {
		if err := set.AddKey(s.public); err != nil {
			t.Fatal(err)
		}
	}
	b, err := json.Marshal(set)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// clock is a mock clock the authenticator reads.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func newClock() *clock { return &clock{now: time.Unix(1_800_000_000, 0)} }

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *clock) advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// jwksServer serves a key set that tests replace, on 127.0.0.1, and
// reports every fetch on fetched.
type jwksServer struct {
	*httptest.Server
	mu      sync.Mutex
	body    []byte
	fetched chan struct{}
}

func newJWKSServer(t testing.TB, body []byte) *jwksServer {
	t.Helper()
	s := &jwksServer{body: body, fetched: make(chan struct{}, 1000)}
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		s.mu.Lock()
		b := s.body
		s.mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(b)
		s.fetched <- struct{}{}
	}))
	t.Cleanup(s.Close)
	return s
}

func (s *jwksServer) serve(body []byte) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.body = body
}

// fetches drains and counts the fetches so far.
func (s *jwksServer) fetches() int {
	n := 0
	for {
		select {
		case <-s.fetched:
			n++
		default:
			return n
		}
	}
}

// awaitFetches waits for n more fetches.
func (s *jwksServer) awaitFetches(t testing.TB, n int, within time.Duration) {
	t.Helper()
	deadline := time.After(within)
	for i := 0; i < n; i++ {
		select {
		case <-s.fetched:
		case <-deadline:
			t.Fatalf("the key set was fetched %d times within %v, want %d", i, within, n)
		}
	}
}

func writeJWKS(t testing.TB, path string, body []byte) {
	t.Helper()
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, body, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(tmp, path); err != nil {
		t.Fatal(err)
	}
}

// fileAuthenticator is an Authenticator over a JWKS file of signers.
func fileAuthenticator(t testing.TB, clk *clock, mutate func(*Config), signers ...*signer) (*Authenticator, string) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "jwks.json")
	writeJWKS(t, path, jwks(t, signers...))
	cfg := Config{JWKSFile: path, Issuer: testIssuer, Audience: testAudience, Now: clk.Now}
	if mutate != nil {
		mutate(&cfg)
	}
	a, err := New(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = a.Close() })
	return a, path
}

func bearerRequest(token string) *http.Request {
	r := httptest.NewRequest(http.MethodGet, "http://router.test:9091/apps", nil)
	if token != "" {
		r.Header.Set("Authorization", "Bearer "+token)
	}
	return r
}
