package bolt

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
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
	// DefaultCheckTimeout bounds the check Open runs before it opens a
	// file. The check reads every page once (about a second per few
	// hundred megabytes from disk, a 10k-token store in tens of
	// milliseconds); a file that takes longer is refused rather than
	// holding up the router's start without end.
	DefaultCheckTimeout = time.Minute
)

// Store is the durable store. It is safe for concurrent use; bbolt
// serialises writers and lets readers run alongside them. It implements
// the domain's waiter.Store directly: the HTTP edge reads and writes
// through it with no translation.
type Store struct {
	db            *bbolt.DB
	path          string
	historyLength int
	// readOnly is set when the file could only be opened for reading;
	// readOnlyErr says why, and every write returns it.
	readOnly    bool
	readOnlyErr error
	health      *health
}

var _ waiter.Store = (*Store)(nil)

// Option configures Open.
type Option func(*options)

type options struct {
	lockTimeout   time.Duration
	historyLength int
	checkTimeout  time.Duration
	log           *slog.Logger
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

// WithCheckTimeout bounds the check of an existing file (default
// DefaultCheckTimeout); non-positive values are ignored.
func WithCheckTimeout(d time.Duration) Option {
	return func(o *options) {
		if d > 0 {
			o.checkTimeout = d
		}
	}
}

// WithLogger sets where the store reports what it finds: corrupt records
// (once each), a migration, a read-only fallback. The default discards.
func WithLogger(l *slog.Logger) Option {
	return func(o *options) {
		if l != nil {
			o.log = l
		}
	}
}

// Open is OpenContext without a context.
func Open(path string, opts ...Option) (*Store, error) {
	return OpenContext(context.Background(), path, opts...)
}

// OpenContext opens the store file at path, creating it (not its folder)
// if missing.
//
// An existing file is checked first, page by page and record by record,
// within the check timeout and for as long as ctx lasts (a router being
// stopped stops its check). Open refuses foreign, damaged, empty,
// newer-schema and locked files with errors wrapping ErrForeignFile,
// ErrCorrupt, ErrSchemaVersion and ErrLocked, and a check cut short with
// ctx's error. Records that fail their checksum do not stop the open: the
// store opens without serving them and reports them in Health. A file
// that may only be read opens read-only: reads work, writes fail with
// ErrStoreReadOnly. A schema version 1 file is migrated to version 2.
func OpenContext(ctx context.Context, path string, opts ...Option) (*Store, error) {
	o := options{lockTimeout: DefaultLockTimeout, historyLength: DefaultHistoryLength,
		checkTimeout: DefaultCheckTimeout, log: slog.New(slog.DiscardHandler)}
	for _, opt := range opts {
		opt(&o)
	}
	ctx, cancel := context.WithTimeout(ctx, o.checkTimeout)
	defer cancel()

	f, readOnlyErr, err := openStoreFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		if err := createStoreFile(path, o.lockTimeout); err != nil {
			return nil, err
		}
		f, readOnlyErr, err = openStoreFile(path)
	}
	if err != nil {
		return nil, err
	}
	readOnly := readOnlyErr != nil
	records := &recordCheck{}
	db, err := checkAndOpen(ctx, f, path, readOnly, o.lockTimeout, records.value)
	if err != nil {
		return nil, err
	}
	s := &Store{db: db, path: path, historyLength: o.historyLength,
		readOnly: readOnly, readOnlyErr: readOnlyErr, health: newHealth(o.log, path, readOnly)}
	if readOnly {
		o.log.Warn("bolt: store opened read-only; writes will fail", "store", path, "reason", readOnlyErr)
	}
	schema, err := ensureSchema(db, path, readOnlyErr)
	if err != nil {
		_ = db.Close()
		return nil, err
	}
	damaged := records.corrupt
	if schema.migrated > 0 || len(schema.unsealed) > 0 {
		o.log.Info("bolt: migrated the store to schema version 2 (checksummed records)",
			"store", path, "records", schema.migrated, "left-unsealed", len(schema.unsealed))
		damaged = schema.unsealed
	}
	for _, c := range damaged {
		s.health.noteCorrupt(c)
	}
	return s, nil
}

// openStoreFile opens path for reading and writing or, if the file system
// or permissions forbid writing, for reading only; readOnlyErr then says
// why. A missing file is returned as fs.ErrNotExist.
func openStoreFile(path string) (f *os.File, readOnlyErr error, err error) {
	f, err = os.OpenFile(path, os.O_RDWR, 0)
	if err == nil {
		return f, nil, nil
	}
	if info, statErr := os.Stat(path); statErr == nil && info.IsDir() {
		return nil, nil, fmt.Errorf("%w: %s is a directory", ErrForeignFile, path)
	}
	if !cannotOpenForWriting(err) {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, nil, err
		}
		return nil, nil, fmt.Errorf("bolt: open %s: %w", path, err)
	}
	ro, roErr := os.Open(path)
	if roErr != nil {
		return nil, nil, fmt.Errorf("bolt: open %s: %w", path, err)
	}
	return ro, fmt.Errorf("%w: %s could not be opened for writing: %w", errOpenedReadOnly, path, err), nil
}

// checkAndOpen locks f, checks the file, and opens it with bbolt through
// the same descriptor. It always consumes f: on error f is closed.
func checkAndOpen(ctx context.Context, f *os.File, path string, readOnly bool, lockTimeout time.Duration,
	onValue func(path [][]byte, key, value []byte)) (*bbolt.DB, error) {
	handedOver := false
	defer func() {
		if !handedOver {
			_ = f.Close()
		}
	}()
	if err := lockFile(ctx, f, !readOnly, lockTimeout); err != nil {
		return nil, lockError(path, lockTimeout, err)
	}
	if err := checkFile(ctx, f, path, onValue); err != nil {
		return nil, err
	}
	var db *bbolt.DB
	err := guard(path, func() error {
		var err error
		db, err = bbolt.Open(path, 0o600, &bbolt.Options{
			Timeout:  lockTimeout,
			ReadOnly: readOnly,
			OpenFile: func(string, int, os.FileMode) (*os.File, error) {
				handedOver = true // bbolt closes it from here on, on error too
				return f, nil
			},
		})
		return err
	})
	switch {
	case errors.Is(err, ErrCorrupt):
		return nil, err
	case errors.Is(err, berrors.ErrInvalid), errors.Is(err, berrors.ErrChecksum), errors.Is(err, berrors.ErrVersionMismatch):
		return nil, fmt.Errorf("%w: %s: bbolt refused the checked file: %w", ErrCorrupt, path, err)
	case err != nil:
		return nil, fmt.Errorf("bolt: open %s: %w", path, err)
	}
	return db, nil
}

// lockError explains a failed lock.
func lockError(path string, timeout time.Duration, err error) error {
	if errors.Is(err, errLockTimeout) {
		return fmt.Errorf("%w: %s (gave up after %s; is another router running on this data folder?)",
			ErrLocked, path, timeout)
	}
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return fmt.Errorf("bolt: waiting for the lock on %s: %w", path, err)
	}
	return fmt.Errorf("bolt: lock %s: %w", path, err)
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

// guard turns a panic or a memory fault inside fn into ErrCorrupt. The
// page walk has checked every page pointer and offset bbolt will follow
// before bbolt runs, so this is a second line: should a damaged file get
// past the check, it becomes an error rather than a crash. SetPanicOnFault
// makes a fault on a mapped page recoverable on this goroutine.
func guard(path string, fn func() error) (err error) {
	defer debug.SetPanicOnFault(debug.SetPanicOnFault(true))
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("%w: %s: reading the file failed: %v", ErrCorrupt, path, r)
		}
	}()
	return fn()
}
