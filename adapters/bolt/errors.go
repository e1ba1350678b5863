package bolt

import (
	"errors"
	"fmt"
)

// Errors reported when opening a store file. Each returned error wraps one of
// them and names the path and what was found.
var (
	// ErrForeignFile means the file is not a store of this package: not a
	// bbolt file at all, or a bbolt file without our schema marker.
	ErrForeignFile = errors.New("bolt: not a waiter store file")
	// ErrCorrupt means the file is a bbolt file but is damaged (bad meta
	// pages, truncated, failing the structural check), or is empty.
	ErrCorrupt = errors.New("bolt: store file is corrupt")
	// ErrSchemaVersion means the file carries our marker with a schema
	// version this build does not read.
	ErrSchemaVersion = errors.New("bolt: unsupported store schema version")
	// ErrLocked means another process holds the file open (bbolt takes an
	// exclusive flock), typically a second router on the same data folder.
	ErrLocked = errors.New("bolt: store file is locked by another process")
)

// Errors reported by reads and writes. They map one to one onto Waiter's
// status codes at the HTTP edge (404, 412, 400).
var (
	// ErrTokenNotFound means no such token (or only a soft-deleted one when
	// deleted tokens were not asked for).
	ErrTokenNotFound = errors.New("bolt: token not found")
	// ErrTokenDeleted means the token exists but is soft-deleted. It wraps
	// ErrTokenNotFound, because a soft-deleted token behaves as missing.
	ErrTokenDeleted = fmt.Errorf("%w (soft-deleted)", ErrTokenNotFound)
	// ErrPreconditionFailed means a non-empty If-Match differed from the
	// token's current ETag (Waiter: 412 "Cannot modify stale token").
	ErrPreconditionFailed = errors.New("bolt: cannot modify stale token")
	// ErrIfMatchRequired means a hard delete of a live token came without
	// an If-Match (Waiter: 400 "Must specify if-match header for token hard
	// deletes").
	ErrIfMatchRequired = errors.New("bolt: hard delete of a live token requires if-match")
	// ErrInvalidTokenData means the token data cannot be stored as given
	// (no owner, a store-owned key supplied, not JSON-encodable, ...).
	ErrInvalidTokenData = errors.New("bolt: invalid token data")
	// ErrServiceNotFound means no service description is stored for the id.
	ErrServiceNotFound = errors.New("bolt: service description not found")
	// ErrEmptyKey means a token name or service id was empty.
	ErrEmptyKey = errors.New("bolt: empty token name or service id")
	// ErrCorruptRecord means a record failed its checksum or does not
	// decode: it is reported, never returned as data. The error is a
	// *CorruptRecordError naming the record.
	ErrCorruptRecord = errors.New("bolt: corrupt record")
	// ErrStoreFull means a write failed because the file system holding
	// the store is full (or the quota or file size limit is reached). The
	// write was not made; earlier writes are intact.
	ErrStoreFull = errors.New("bolt: the store's disk is full")
	// ErrStoreReadOnly means a write failed because the store file or its
	// file system is read-only. The write was not made.
	ErrStoreReadOnly = errors.New("bolt: the store is read-only")
)

// CorruptRecordError names a record that failed its checksum or does not
// decode, and what is wrong with it.
type CorruptRecordError struct {
	// Record names the record, e.g. `token "app"`, `token "app" history
	// entry 3`, `service description "s-1"`.
	Record string
	// Problem says what is wrong, e.g. "checksum mismatch (stored ...)".
	Problem string
}

func (e *CorruptRecordError) Error() string {
	return "bolt: corrupt record: " + e.Detail()
}

// Detail is the message without the package prefix: the record and the
// problem.
func (e *CorruptRecordError) Detail() string { return e.Record + ": " + e.Problem }

// Is makes errors.Is(err, ErrCorruptRecord) hold.
func (e *CorruptRecordError) Is(target error) bool { return target == ErrCorruptRecord }

// domainErrors are the conditions the store reports itself, already
// carrying their detail; opError leaves them unwrapped so messages do not
// repeat the token name.
var domainErrors = []error{
	ErrTokenNotFound, ErrPreconditionFailed, ErrIfMatchRequired,
	ErrInvalidTokenData, ErrServiceNotFound, ErrEmptyKey, ErrCorruptRecord,
}

// opError adds the operation to errors that come from bbolt or the file
// system (a failed commit, a full disk) and passes domain errors through.
// A full or read-only file system gets its own sentinel, so callers can
// say so rather than report an internal error.
func opError(op string, err error) error {
	if err == nil {
		return nil
	}
	for _, d := range domainErrors {
		if errors.Is(err, d) {
			return err
		}
	}
	switch {
	case isDiskFull(err):
		return fmt.Errorf("%w: %s: %w", ErrStoreFull, op, err)
	case isReadOnly(err):
		return fmt.Errorf("%w: %s: %w", ErrStoreReadOnly, op, err)
	}
	return fmt.Errorf("bolt: %s: %w", op, err)
}

// checkKey rejects empty names and ids before they reach bbolt, whose own
// error ("key required") would not say which kind of key was missing.
func checkKey(kind, key string) error {
	if key == "" {
		return fmt.Errorf("%w: %s", ErrEmptyKey, kind)
	}
	return nil
}
