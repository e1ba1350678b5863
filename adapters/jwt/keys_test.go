package jwt

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/lestrrat-go/jwx/v3/jwk"
	"github.com/lestrrat-go/jwx/v3/jws"
)

func kidHeader(t testing.TB, kid string) jws.Headers {
	t.Helper()
	h := jws.NewHeaders()
	if err := h.Set(jws.KeyIDKey, kid); err != nil {
		t.Fatal(err)
	}
	return h
}

func urlAuthenticator(t *testing.T, clk *clock, srv *jwksServer, refresh time.Duration) *Authenticator {
	t.Helper()
	a, err := New(context.Background(), Config{JWKSURL: srv.URL + "/jwks.json", Refresh: refresh,
		Issuer: testIssuer, Audience: testAudience, Now: clk.Now})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = a.Close() })
	return a
}

// Key rotation: the issuer publishes a new key and signs with it; the
// first token naming the new kid refreshes the set at once.
func TestRotatedKeyIsFetchedOnFirstUse(t *testing.T) {
	clk := newClock()
	k1, k2 := newRSASigner(t, "k1"), newRSASigner(t, "k2")
	srv := newJWKSServer(t, jwks(t, k1))
	a := urlAuthenticator(t, clk, srv, time.Hour)
	if _, err := a.Authenticate(bearerRequest(k1.sign(t, claims(clk.Now())))); err != nil {
		t.Fatalf("token of the published key refused: %v", err)
	}
	srv.fetches()

	srv.serve(jwks(t, k2))
	id, err := a.Authenticate(bearerRequest(k2.sign(t, claims(clk.Now()))))
	if err != nil || id.User != "alice" {
		t.Fatalf("token of the rotated-in key: %+v, %v; want alice", id, err)
	}
	if n := srv.fetches(); n != 1 {
		t.Errorf("the unknown kid caused %d fetches, want 1", n)
	}
	// k1 is gone from the set; a token naming an unknown kid so soon after
	// a forced refresh does not fetch again.
	refused(t, a, k1.sign(t, claims(clk.Now())), `no key "k1" in the key set`)
	refused(t, a, newRSASigner(t, "k9").sign(t, claims(clk.Now())), `no key "k9" in the key set`)
	if n := srv.fetches(); n != 0 {
		t.Errorf("unknown kids within %v of a forced refresh fetched %d times, want 0", missRefreshEvery, n)
	}
	clk.advance(missRefreshEvery)
	refused(t, a, newRSASigner(t, "k9").sign(t, claims(clk.Now())), `no key "k9" in the key set`)
	if n := srv.fetches(); n != 1 {
		t.Errorf("an unknown kid %v after the last forced refresh fetched %d times, want 1", missRefreshEvery, n)
	}
}

// jwk.Cache refreshes the set on its own: a key published later is
// accepted without any forced refresh (the clock is frozen, so the
// unknown-kid path cannot fetch: it already did).
func TestKeySetURLIsRefreshedPeriodically(t *testing.T) {
	clk := newClock()
	k1, k2 := newRSASigner(t, "k1"), newRSASigner(t, "k2")
	srv := newJWKSServer(t, jwks(t, k1))
	a := urlAuthenticator(t, clk, srv, time.Second)
	refused(t, a, newRSASigner(t, "k9").sign(t, claims(clk.Now())), `no key "k9"`) // uses up the forced refresh
	refused(t, a, k2.sign(t, claims(clk.Now())), `no key "k2"`)
	srv.fetches()

	srv.serve(jwks(t, k1, k2))
	// The cache fetches one resource at a time, so once a second fetch
	// has started the first one's set is in use.
	srv.awaitFetches(t, 2, 15*time.Second)
	if id, err := a.Authenticate(bearerRequest(k2.sign(t, claims(clk.Now())))); err != nil || id.User != "alice" {
		t.Fatalf("after the periodic refresh the new key's token: %+v, %v; want alice", id, err)
	}
}

func TestKeySetFileIsReReadWhenItChanges(t *testing.T) {
	clk := newClock()
	k1, k2 := newRSASigner(t, "k1"), newRSASigner(t, "k2")
	a, path := fileAuthenticator(t, clk, func(c *Config) { c.Refresh = time.Minute }, k1)
	refused(t, a, newRSASigner(t, "k9").sign(t, claims(clk.Now())), `no key "k9"`) // uses up the forced refresh

	writeJWKS(t, path, jwks(t, k2))
	future := time.Now().Add(time.Hour) // a distinct mtime even on coarse file systems
	if err := os.Chtimes(path, future, future); err != nil {
		t.Fatal(err)
	}
	refused(t, a, k2.sign(t, claims(clk.Now())), `no key "k2"`) // not looked at yet
	clk.advance(time.Minute)
	if id, err := a.Authenticate(bearerRequest(k2.sign(t, claims(clk.Now())))); err != nil || id.User != "alice" {
		t.Fatalf("after the file changed: %+v, %v; want alice", id, err)
	}
	refused(t, a, k1.sign(t, claims(clk.Now())), `no key "k1"`)

	// A broken file keeps the last good set.
	if err := os.WriteFile(path, []byte("{not json"), 0o600); err != nil {
		t.Fatal(err)
	}
	clk.advance(time.Minute)
	if _, err := a.Authenticate(bearerRequest(k2.sign(t, claims(clk.Now())))); err != nil {
		t.Errorf("a broken key file dropped the keys in use: %v", err)
	}
}

func TestStartRefusesUnusableKeySets(t *testing.T) {
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.json")
	if err := os.WriteFile(bad, []byte(`{"keys": "nope"}`), 0o600); err != nil {
		t.Fatal(err)
	}
	empty := filepath.Join(dir, "empty.json")
	if err := os.WriteFile(empty, []byte(`{"keys": []}`), 0o600); err != nil {
		t.Fatal(err)
	}
	down := newJWKSServer(t, []byte("not json"))
	for name, tc := range map[string]struct {
		cfg  Config
		want string
	}{
		"missing file": {Config{JWKSFile: filepath.Join(dir, "none.json")}, "no such file"},
		"bad file":     {Config{JWKSFile: bad}, "jwks-file " + bad},
		"empty file":   {Config{JWKSFile: empty}, "holds no keys"},
		"bad url body": {Config{JWKSURL: down.URL}, "jwks-url"},
	} {
		t.Run(name, func(t *testing.T) {
			tc.cfg.Issuer, tc.cfg.Audience = testIssuer, testAudience
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			a, err := New(ctx, tc.cfg)
			if err == nil {
				_ = a.Close()
				t.Fatal("New accepted an unusable key set")
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %q does not say %q", err, tc.want)
			}
		})
	}
}

func TestUnavailableKeySetIsNotMistakenForAnUnknownKey(t *testing.T) {
	k := &keyRing{src: failingSource{}, now: time.Now}
	if _, err := k.lookup(context.Background(), "k1"); err == nil || errors.Is(err, errUnknownKey) {
		t.Errorf("lookup = %v, want the source's failure", err)
	}
}

type failingSource struct{}

func (failingSource) current() (jwk.Set, error)                { return nil, errors.New("down") }
func (failingSource) refresh(context.Context) (jwk.Set, error) { return nil, errors.New("down") }
func (failingSource) close() error                             { return nil }
