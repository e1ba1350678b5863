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
	// pages, truncated, or failing the structural check).
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
)

// domainErrors are the conditions the store reports itself, already
// carrying their detail; opError leaves them unwrapped so messages do not
// repeat the token name.
var domainErrors = []error{
	ErrTokenNotFound, ErrPreconditionFailed, ErrIfMatchRequired,
	ErrInvalidTokenData, ErrServiceNotFound, ErrEmptyKey,
}

// opError adds the operation to errors that come from bbolt or the file
// system (a failed commit, a full disk) and passes domain errors through.
func opError(op string, err error) error {
	if err == nil {
		return nil
	}
	for _, d := range domainErrors {
		if errors.Is(err, d) {
			return err
		}
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
