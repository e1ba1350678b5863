package zookeeper

import (
	"errors"
	"fmt"
	"log/slog"
	"sort"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/go-zookeeper/zk"
	"github.com/waiter-go/waiter"
)

// Defaults for StoreOptions.
const (
	// DefaultHistoryLength is how many prior versions of a token are kept
	// (Waiter's :token-config :history-length), as in adapters/bolt.
	DefaultHistoryLength = 5
	// DefaultCacheSize bounds the records the cache holds (and so the
	// watches the store sets).
	DefaultCacheSize = 10000
	// MaxRecordBytes bounds one znode's data. ZooKeeper refuses requests
	// beyond its jute.maxbuffer (1 MiB less one byte by default); this
	// leaves room for the path and the request's own fields.
	MaxRecordBytes = 1000 << 10
	// MaxTokenBytes bounds a token's data (canonical JSON). Its history
	// shares the znode: versions that would not fit are dropped, oldest
	// first, so a token near this size keeps little or no history.
	MaxTokenBytes = 512 << 10
	// maxWriteAttempts bounds the retries of a conditional write that
	// lost a race with another router's write to the same record.
	maxWriteAttempts = 20
)

// StoreOptions configure NewStore.
type StoreOptions struct {
	// HistoryLength (default DefaultHistoryLength; negative keeps none).
	HistoryLength int
	// CacheSize (default DefaultCacheSize).
	CacheSize int
	// Logger receives what the store finds: damaged records, ZooKeeper
	// lost and back (default: discarded).
	Logger *slog.Logger
}

// Store is waiter.Store on ZooKeeper: every router of a cluster reads and
// writes the same records, and a watched cache keeps reads local.
type Store struct {
	c       *Client
	cache   *cache
	history int
	log     *slog.Logger
	sub     int

	onService atomic.Pointer[func(id string)]

	mu      sync.Mutex
	corrupt map[string]string // damaged record name -> problem
	lastErr string            // the last write that failed for want of ZooKeeper
}

var (
	_ waiter.Store           = (*Store)(nil)
	_ waiter.HealthReporter  = (*Store)(nil)
	_ waiter.TokenCacheSizer = (*Store)(nil)
)

// NewStore returns the store on c's session and makes sure its folders
// exist.
func NewStore(c *Client, opts StoreOptions) (*Store, error) {
	if opts.HistoryLength == 0 {
		opts.HistoryLength = DefaultHistoryLength
	}
	if opts.HistoryLength < 0 {
		opts.HistoryLength = 0
	}
	if opts.CacheSize <= 0 {
		opts.CacheSize = DefaultCacheSize
	}
	log := opts.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	s := &Store{c: c, cache: newCache(opts.CacheSize), history: opts.HistoryLength, log: log,
		corrupt: map[string]string{}}
	for _, d := range []string{dirTokens, dirServices, dirOverrides, dirSuspension, dirSourceTokens} {
		if err := c.ensurePath(c.dir(d)); err != nil {
			return nil, err
		}
	}
	s.sub = c.subscribe(s.onEvent)
	return s, nil
}

// OnServiceChange sets fn to be told the id of a service whose stored
// overrides or suspension changed, whichever router changed them, as
// ZooKeeper's watches report it; and, when the session is back (after a
// disconnection or a new session), of every service whose records the
// store holds unwatched, so whoever caches them reads them again. The
// HTTP edge's ServiceChanged is meant for it. fn runs on the ZooKeeper
// connection's goroutine: it must not block nor call the store.
func (s *Store) OnServiceChange(fn func(id string)) { s.onService.Store(&fn) }

// onEvent keeps the cache right and tells OnServiceChange's fn.
func (s *Store) onEvent(ev zk.Event) {
	s.cache.onEvent(ev)
	fn := s.onService.Load()
	if fn == nil {
		return
	}
	switch ev.Type {
	case zk.EventNodeCreated, zk.EventNodeDataChanged, zk.EventNodeDeleted, zk.EventNotWatching:
		if id, ok := s.serviceOf(ev.Path); ok {
			(*fn)(id)
		}
	case zk.EventSession:
		if ev.State != zk.StateHasSession {
			return
		}
		for _, dir := range []string{dirOverrides, dirSuspension} {
			for _, path := range s.cache.staleKeys(s.c.dir(dir) + "/") {
				if id, ok := s.serviceOf(path); ok {
					(*fn)(id)
				}
			}
		}
	}
}

// serviceOf is the service id of an overrides or suspension znode.
func (s *Store) serviceOf(path string) (string, bool) {
	for _, dir := range []string{dirOverrides, dirSuspension} {
		if rest, ok := strings.CutPrefix(path, s.c.dir(dir)+"/"); ok && !strings.Contains(rest, "/") {
			return unescape(rest)
		}
	}
	return "", false
}

// Close stops the store's use of the session (the Client is closed by
// its owner).
func (s *Store) Close() { s.c.unsubscribe(s.sub) }

// CachedTokens is how many tokens the cache holds (waiter.TokenCacheSizer).
func (s *Store) CachedTokens() int { return s.cache.count(s.c.dir(dirTokens) + "/") }

// decoder turns a znode's data into the cached value.
type decoder func(data []byte) (any, error)

// read returns a record: from the cache when its watch has not fired,
// else from ZooKeeper (setting a watch). When ZooKeeper cannot be
// reached, a record read before is answered from the cache, stale or
// not; a record never read is ErrStoreUnavailable. A record that does
// not decode is a *waiter.CorruptRecordError naming it (record).
func (s *Store) read(op, path, record string, decode decoder) (val any, exists bool, err error) {
	if e, ok := s.cache.get(path); ok && e.fresh {
		return e.val, e.exists, nil
	}
	if !s.c.Connected() {
		if e, ok := s.cache.get(path); ok && e.known {
			return e.val, e.exists, nil
		}
		return nil, false, s.c.needSession(op)
	}
	tok := s.cache.begin(path)
	data, exists, err := s.fetch(path, tok != nil)
	if err == nil && exists {
		val, err = decode(data)
		if err != nil {
			err = &waiter.CorruptRecordError{Record: record, Problem: "does not decode: " + err.Error()}
			s.noteCorrupt(err)
		}
	}
	if err != nil {
		if tok != nil {
			s.cache.abandon(path, tok)
		}
		if e, ok := s.cache.get(path); ok && e.known && isUnavailable(err) {
			return e.val, e.exists, nil
		}
		return nil, false, s.c.fail(op, err)
	}
	if tok != nil {
		s.cache.finish(path, tok, val, exists)
	}
	return val, exists, nil
}

// fetch reads a znode, with a data watch (or an exists watch when it is
// missing) if watch is set.
func (s *Store) fetch(path string, watch bool) ([]byte, bool, error) {
	conn := s.c.conn
	if !watch {
		data, _, err := conn.Get(path)
		if errors.Is(err, zk.ErrNoNode) {
			return nil, false, nil
		}
		return data, err == nil, err
	}
	for range 5 {
		data, _, _, err := conn.GetW(path)
		if err == nil {
			return data, true, nil
		}
		if !errors.Is(err, zk.ErrNoNode) {
			return nil, false, err
		}
		// Missing: watch for its creation. It may have been created
		// between the two calls; then read it again.
		found, _, _, err := conn.ExistsW(path)
		if err != nil {
			return nil, false, err
		}
		if !found {
			return nil, false, nil
		}
	}
	return nil, false, fmt.Errorf("%s changes too fast to read", path)
}

// readChildren lists the names in a folder (unescaped, sorted), cached
// and watched like a record.
func (s *Store) readChildren(op, dir string) ([]string, error) {
	key := dir + "/"
	if e, ok := s.cache.get(key); ok && e.fresh {
		return e.val.([]string), nil
	}
	if !s.c.Connected() {
		if e, ok := s.cache.get(key); ok && e.known {
			return e.val.([]string), nil
		}
		return nil, s.c.needSession(op)
	}
	tok := s.cache.begin(key)
	var kids []string
	var err error
	if tok != nil {
		kids, _, _, err = s.c.conn.ChildrenW(dir)
	} else {
		kids, _, err = s.c.conn.Children(dir)
	}
	if err != nil {
		if tok != nil {
			s.cache.abandon(key, tok)
		}
		if e, ok := s.cache.get(key); ok && e.known && isUnavailable(err) {
			return e.val.([]string), nil
		}
		return nil, s.c.fail(op, err)
	}
	names := make([]string, 0, len(kids))
	for _, k := range kids {
		if n, ok := unescape(k); ok {
			names = append(names, n)
		}
	}
	sort.Strings(names)
	if tok != nil {
		s.cache.finish(key, tok, names, true)
	}
	return names, nil
}

// write runs a write against ZooKeeper, refusing at once without a
// session, and notes its outcome in the store's health. The record's
// cache entry is made stale whatever happened: the write may have
// reached ZooKeeper even if its answer did not.
func (s *Store) write(op, path string, fn func() error) error {
	defer s.cache.invalidate(path)
	if err := s.c.needSession(op); err != nil {
		s.noteWrite(err)
		return err
	}
	err := fn()
	if err != nil && isUnavailable(err) {
		err = s.c.fail(op, err)
	}
	s.noteWrite(err)
	return err
}

// createOrSet writes data to path whatever is there (unconditionally).
func (s *Store) createOrSet(path string, data []byte) error {
	conn := s.c.conn
	for range maxWriteAttempts {
		_, err := conn.Set(path, data, -1)
		if !errors.Is(err, zk.ErrNoNode) {
			return err
		}
		_, err = conn.Create(path, data, 0, zk.WorldACL(zk.PermAll))
		if !errors.Is(err, zk.ErrNodeExists) {
			return err
		}
	}
	return fmt.Errorf("%s: created and deleted concurrently too often", path)
}

// deleteIfThere deletes path; a missing node is not an error.
func (s *Store) deleteIfThere(path string) error {
	err := s.c.conn.Delete(path, -1)
	if errors.Is(err, zk.ErrNoNode) {
		return nil
	}
	return err
}

// checkSize refuses a record ZooKeeper would refuse.
func checkSize(record string, data []byte) error {
	if len(data) > MaxRecordBytes {
		return fmt.Errorf("%w: %s is %d bytes, more than the %d a ZooKeeper record holds",
			waiter.ErrInvalidTokenData, record, len(data), MaxRecordBytes)
	}
	return nil
}
