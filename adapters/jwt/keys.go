package jwt

import (
	"context"
	"errors"
	"fmt"
	"os"
	"sync"
	"time"

	"github.com/lestrrat-go/httprc/v3"
	"github.com/lestrrat-go/httprc/v3/errsink"
	"github.com/lestrrat-go/jwx/v3/jwk"
)

// keySource is where the verification keys come from.
type keySource interface {
	// current returns the key set in use.
	current() (jwk.Set, error)
	// refresh reads the key set anew and returns it.
	refresh(ctx context.Context) (jwk.Set, error)
	close() error
}

// errUnknownKey is a kid the key set does not hold, even after a refresh.
var errUnknownKey = errors.New("no such key in the key set")

// keyRing finds a token's key by kid. When the set lacks it, the issuer
// may have rotated to a key published after the last refresh, so the
// ring refreshes at once, but no more than once per missRefreshEvery.
type keyRing struct {
	src keySource
	now func() time.Time

	mu         sync.Mutex // held across a forced refresh: concurrent misses wait for it
	lastForced time.Time
}

func (k *keyRing) lookup(ctx context.Context, kid string) (jwk.Key, error) {
	if key, err := k.find(kid); key != nil || err != nil {
		return key, err
	}
	k.mu.Lock()
	defer k.mu.Unlock()
	if key, err := k.find(kid); key != nil || err != nil {
		return key, err // refreshed by a concurrent miss meanwhile
	}
	now := k.now()
	if !k.lastForced.IsZero() && now.Sub(k.lastForced) < missRefreshEvery {
		return nil, errUnknownKey
	}
	k.lastForced = now
	if _, err := k.src.refresh(ctx); err != nil {
		return nil, fmt.Errorf("refreshing the key set for an unknown key: %w", err)
	}
	key, err := k.find(kid)
	if key == nil && err == nil {
		err = errUnknownKey
	}
	return key, err
}

// find returns the key or nil; an error only when no set is available.
func (k *keyRing) find(kid string) (jwk.Key, error) {
	set, err := k.src.current()
	if err != nil {
		return nil, err
	}
	if key, ok := set.LookupKeyID(kid); ok {
		return key, nil
	}
	return nil, nil
}

// parseOptions refuse a set in which two keys share a kid: which one a
// token meant would be ambiguous.
var parseOptions = []jwk.ParseOption{jwk.WithRejectDuplicateKID(true)}

// fileSource reads a key set from a file and re-reads it when its size or
// modification time changes, looking at most once per every.
type fileSource struct {
	path  string
	every time.Duration
	now   func() time.Time

	mu      sync.Mutex
	set     jwk.Set
	stamp   fileStamp
	checked time.Time
}

type fileStamp struct {
	mod  time.Time
	size int64
}

func newFileSource(path string, every time.Duration, now func() time.Time) (*fileSource, error) {
	f := &fileSource{path: path, every: every, now: now}
	if err := f.load(); err != nil {
		return nil, err
	}
	f.checked = now()
	return f, nil
}

// load reads and parses the file; the previous set stays in use when it
// fails.
func (f *fileSource) load() error {
	info, err := os.Stat(f.path)
	if err != nil {
		return fmt.Errorf("jwks-file: %w", err)
	}
	b, err := os.ReadFile(f.path)
	if err != nil {
		return fmt.Errorf("jwks-file: %w", err)
	}
	set, err := jwk.Parse(b, parseOptions...)
	if err != nil {
		return fmt.Errorf("jwks-file %s: %w", f.path, err)
	}
	if set.Len() == 0 {
		return fmt.Errorf("jwks-file %s: the key set holds no keys", f.path)
	}
	f.set, f.stamp = set, fileStamp{mod: info.ModTime(), size: info.Size()}
	return nil
}

func (f *fileSource) current() (jwk.Set, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if now := f.now(); now.Sub(f.checked) >= f.every {
		f.checked = now
		if info, err := os.Stat(f.path); err == nil && (fileStamp{mod: info.ModTime(), size: info.Size()}) != f.stamp {
			// A half-written file fails to parse; the old set stays and
			// the next check tries again.
			_ = f.load()
		}
	}
	return f.set, nil
}

func (f *fileSource) refresh(context.Context) (jwk.Set, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.checked = f.now()
	if err := f.load(); err != nil {
		return nil, err
	}
	return f.set, nil
}

func (f *fileSource) close() error { return nil }

// urlSource keeps a key set fetched from a URL fresh through jwx's
// jwk.Cache, which refetches it every interval in its own goroutines.
type urlSource struct {
	url    string
	cache  *jwk.Cache
	res    *httprc.ResourceBase[jwk.Set]
	cancel context.CancelFunc
}

func newURLSource(ctx context.Context, cfg Config) (*urlSource, error) {
	// Fetch once first: a wrong URL or a broken set is reported with its
	// cause, rather than as a registration that never became ready.
	first, err := jwk.Fetch(ctx, cfg.JWKSURL, jwk.WithHTTPClient(cfg.HTTPClient))
	if err != nil {
		return nil, fmt.Errorf("jwks-url: %w", err)
	}
	if first.Len() == 0 {
		return nil, fmt.Errorf("jwks-url %s: the key set holds no keys", cfg.JWKSURL)
	}
	bg, cancel := context.WithCancel(context.Background())
	log := cfg.Logger
	client := httprc.NewClient(httprc.WithErrorSink(errsink.NewFunc(func(_ context.Context, err error) {
		log.Warn("jwt: refreshing the key set failed; the previous keys stay in use", "url", cfg.JWKSURL, "error", err)
	})))
	cache, err := jwk.NewCache(bg, client)
	if err != nil {
		cancel()
		return nil, fmt.Errorf("jwks-url: %w", err)
	}
	s := &urlSource{url: cfg.JWKSURL, cache: cache, cancel: cancel}
	if err := cache.Register(ctx, cfg.JWKSURL, jwk.WithHTTPClient(cfg.HTTPClient),
		jwk.WithConstantInterval(cfg.Refresh), jwk.WithMinInterval(cfg.Refresh),
		jwk.WithRejectDuplicateKID(true)); err != nil {
		_ = s.close()
		return nil, fmt.Errorf("jwks-url: %w", err)
	}
	if s.res, err = cache.LookupResource(ctx, cfg.JWKSURL); err != nil {
		_ = s.close()
		return nil, fmt.Errorf("jwks-url: %w", err)
	}
	return s, nil
}

// current reads the cached set without a round trip to the cache's
// goroutine: every request calls it.
func (s *urlSource) current() (jwk.Set, error) {
	set := s.res.Resource()
	if set == nil {
		return nil, fmt.Errorf("jwks-url %s: no key set fetched yet", s.url)
	}
	return set, nil
}

func (s *urlSource) refresh(ctx context.Context) (jwk.Set, error) {
	set, err := s.cache.Refresh(ctx, s.url)
	if err != nil {
		return nil, fmt.Errorf("jwks-url: %w", err)
	}
	return set, nil
}

func (s *urlSource) close() error {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	err := s.cache.Shutdown(ctx)
	s.cancel()
	return err
}
