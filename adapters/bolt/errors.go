package bolt

import (
	"errors"
	"fmt"

	"github.com/waiter-go/waiter"
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

// ErrEmptyKey means a token name or service id was empty. It wraps
// waiter.ErrInvalidTokenData: the caller gave a name the store cannot
// keep. The other errors of reads and writes are the domain's (package
// waiter: ErrTokenNotFound, ErrPreconditionFailed, ErrCorruptRecord as a
// *waiter.CorruptRecordError, ErrStoreFull, ...), wrapped with the name.
var ErrEmptyKey = fmt.Errorf("%w: empty token name or service id", waiter.ErrInvalidTokenData)

// domainErrors are the conditions the store reports itself, already
// carrying their detail; opError leaves them unwrapped so messages do not
// repeat the token name.
var domainErrors = []error{
	waiter.ErrTokenNotFound, waiter.ErrPreconditionFailed, waiter.ErrIfMatchRequired,
	waiter.ErrInvalidTokenData, waiter.ErrServiceNotFound, waiter.ErrCorruptRecord,
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
		return fmt.Errorf("%w: %s: %w", waiter.ErrStoreFull, op, err)
	case isReadOnly(err):
		return fmt.Errorf("%w: %s: %w", waiter.ErrStoreReadOnly, op, err)
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
