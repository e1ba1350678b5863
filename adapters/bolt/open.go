package bolt

import (
	"encoding/json"
	"errors"
	"fmt"
	"hash/crc32"
	"os"
	"runtime/debug"
	"time"

	"github.com/waiter-go/waiter"
	bbolt "go.etcd.io/bbolt"
	berrors "go.etcd.io/bbolt/errors"
)

// Defaults for Open.
const (
	// DefaultLockTimeout is how long Open waits for another process to
	// release the file: long enough to ride out a restarting router's
	// shutdown, short enough that a second router fails fast.
	DefaultLockTimeout = time.Second
	// DefaultHistoryLength is how many prior versions of a token are kept
	// (Waiter's :token-config :history-length).
	DefaultHistoryLength = 5
)

// Store is the durable store. It is safe for concurrent use; bbolt
// serialises writers and lets readers run alongside them. It implements
// the domain's waiter.Store directly: the HTTP edge reads and writes
// through it with no translation.
type Store struct {
	db            *bbolt.DB
	path          string
	historyLength int
}

var _ waiter.Store = (*Store)(nil)

// Option configures Open.
type Option func(*options)

type options struct {
	lockTimeout   time.Duration
	historyLength int
}

// WithLockTimeout sets how long Open waits for the file lock before
// returning ErrLocked. It must be positive: bbolt treats zero as "forever".
func WithLockTimeout(d time.Duration) Option {
	return func(o *options) {
		if d > 0 {
			o.lockTimeout = d
		}
	}
}

// WithHistoryLength sets how many prior versions of each token are kept.
// Zero keeps none; negative values are ignored.
func WithHistoryLength(n int) Option {
	return func(o *options) {
		if n >= 0 {
			o.historyLength = n
		}
	}
}

// Open opens the store file at path, creating it (not its folder) if
// missing. It refuses foreign, corrupt, newer-schema and locked files with
// errors wrapping ErrForeignFile, ErrCorrupt, ErrSchemaVersion and ErrLocked.
func Open(path string, opts ...Option) (*Store, error) {
	o := options{lockTimeout: DefaultLockTimeout, historyLength: DefaultHistoryLength}
	for _, opt := range opts {
		opt(&o)
	}
	exists, err := inspectHeader(path)
	if err != nil {
		return nil, err
	}
	if exists {
		if err := verifyFile(path, o.lockTimeout); err != nil {
			return nil, err
		}
	}
	db, err := openDB(path, o.lockTimeout, false)
	if err != nil {
		return nil, err
	}
	if err := ensureSchema(db, path); err != nil {
		_ = db.Close()
		return nil, err
	}
	return &Store{db: db, path: path, historyLength: o.historyLength}, nil
}

// Path returns the file the store was opened from.
func (s *Store) Path() string { return s.path }

// Close releases the file and its lock.
func (s *Store) Close() error {
	if err := s.db.Close(); err != nil {
		return fmt.Errorf("bolt: close %s: %w", s.path, err)
	}
	return nil
}

// verifyFile checks an existing file through a read-only handle before the
// read-write open. The order matters for a damaged file: a read-write open
// loads the freelist inside bbolt.Open, and a panic there leaves the file
// mapped, which keeps its flock held even once the descriptor is closed.
// A read-only open reads only the meta pages; the walk and check then run
// on a handle that Close can always unmap.
func verifyFile(path string, lockTimeout time.Duration) error {
	db, err := openDB(path, lockTimeout, true)
	if err != nil {
		return err
	}
	verr := verify(db, path)
	if err := db.Close(); err != nil && verr == nil {
		return fmt.Errorf("bolt: close %s after checking it: %w", path, err)
	}
	return verr
}

// openDB runs bbolt.Open under guard, keeping hold of the *os.File bbolt
// opens so that, if bbolt panics on a damaged file, the descriptor is
// closed rather than leaked. If bbolt had already mapped the file, the
// mapping (and with it the flock) stays until the process exits; that is
// why verifyFile checks the file through a read-only open first.
func openDB(path string, lockTimeout time.Duration, readOnly bool) (*bbolt.DB, error) {
	var file *os.File
	var db *bbolt.DB
	err := guard(path, func() error {
		var err error
		db, err = bbolt.Open(path, 0o600, &bbolt.Options{
			Timeout:  lockTimeout,
			ReadOnly: readOnly,
			OpenFile: func(name string, flag int, mode os.FileMode) (*os.File, error) {
				f, err := os.OpenFile(name, flag, mode)
				file = f
				return f, err
			},
		})
		return err
	})
	if err == nil {
		return db, nil
	}
	if db == nil && file != nil {
		_ = file.Close()
	}
	switch {
	case errors.Is(err, ErrCorrupt):
		return nil, err
	case errors.Is(err, berrors.ErrTimeout):
		return nil, fmt.Errorf("%w: %s (gave up after %s; is another router running on this data folder?)",
			ErrLocked, path, lockTimeout)
	case errors.Is(err, berrors.ErrInvalid):
		return nil, fmt.Errorf("%w: %s: %w", ErrForeignFile, path, err)
	case errors.Is(err, berrors.ErrChecksum), errors.Is(err, berrors.ErrVersionMismatch):
		return nil, fmt.Errorf("%w: %s: %w", ErrCorrupt, path, err)
	}
	return nil, fmt.Errorf("bolt: open %s: %w", path, err)
}

// verify reads every bucket, key and value reachable from the root and then
// runs bbolt's structural check. Reading first, under guard, matters: a
// damaged page can point anywhere in the mapping, and a fault there must
// become ErrCorrupt, not a crash. tx.Check runs on its own goroutine, which
// guard cannot protect, so it only runs once the walk has read every byte
// it will read.
func verify(db *bbolt.DB, path string) error {
	return guard(path, func() error {
		return db.View(func(tx *bbolt.Tx) error {
			// A foreign file's buckets are walked for damage only;
			// ensureSchema then refuses the file.
			ours := hasOurMarker(tx)
			err := tx.ForEach(func(name []byte, b *bbolt.Bucket) error {
				return walkBucket(b, string(name), ours && jsonBuckets[string(name)])
			})
			if err != nil {
				return fmt.Errorf("%w: %s: %w", ErrCorrupt, path, err)
			}
			// Drain the whole channel: the checker goroutine reads this
			// transaction's pages and must finish before it is closed.
			var first error
			for err := range tx.Check() {
				if first == nil {
					first = fmt.Errorf("%w: %s: bbolt check: %w", ErrCorrupt, path, err)
				}
			}
			return first
		})
	})
}

// walkBucket visits every key and value of b and its nested buckets and
// reads their bytes: a damaged element offset faults here, under guard,
// rather than later in tx.Check's goroutine or in a request. Values in
// JSON buckets must be valid JSON, so a damaged record is reported at
// start, naming its key.
func walkBucket(b *bbolt.Bucket, where string, jsonValues bool) error {
	return b.ForEach(func(k, v []byte) error {
		touch(k)
		if v != nil {
			touch(v)
			if jsonValues && !json.Valid(v) {
				return fmt.Errorf("bucket %s: key %q: value is not valid JSON", where, k)
			}
			return nil
		}
		child := b.Bucket(k)
		if child == nil {
			return fmt.Errorf("bucket %s: key %q is neither a value nor a bucket", where, k)
		}
		return walkBucket(child, where+"/"+string(k), jsonValues)
	})
}

// touchSink keeps touch's reads from being optimised away.
var touchSink uint32

func touch(p []byte) { touchSink += crc32.ChecksumIEEE(p) }

// guard turns a panic or a memory fault inside fn into ErrCorrupt. bbolt
// reads the file through mmap and trusts what it finds, so a damaged file
// shows up as an out-of-range slice or a fault on an unmapped address;
// SetPanicOnFault makes the latter recoverable on this goroutine.
func guard(path string, fn func() error) (err error) {
	defer debug.SetPanicOnFault(debug.SetPanicOnFault(true))
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("%w: %s: reading the file failed: %v", ErrCorrupt, path, r)
		}
	}()
	return fn()
}
