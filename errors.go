package waiter

import (
	"errors"
	"fmt"
)

// Errors the stores report. Implementations wrap them (%w) with the name
// or id they concern, so errors.Is works; adapters/http maps each to
// Waiter's status (404, 412, 400), and its text is what a client reads.
var (
	// ErrTokenNotFound: no such token (or only a soft-deleted one when
	// deleted tokens were not asked for). 404.
	ErrTokenNotFound = errors.New("token not found")
	// ErrTokenDeleted: the token exists but is soft-deleted. It wraps
	// ErrTokenNotFound, because a soft-deleted token behaves as missing.
	ErrTokenDeleted = fmt.Errorf("%w (soft-deleted)", ErrTokenNotFound)
	// ErrPreconditionFailed: a non-empty If-Match differed from the
	// token's current ETag. 412 "Cannot modify stale token".
	ErrPreconditionFailed = errors.New("cannot modify stale token")
	// ErrIfMatchRequired: a hard delete of a live token came without an
	// If-Match. 400 "Must specify if-match header for token hard deletes".
	ErrIfMatchRequired = errors.New("must specify if-match header for token hard deletes")
	// ErrInvalidTokenData: the token data (or the token's name) cannot be
	// stored as given: no owner, a store-owned key supplied, not
	// JSON-encodable, an empty name. 400, with the wrapping text.
	ErrInvalidTokenData = errors.New("invalid token data")
	// ErrServiceNotFound: no service description is stored for the id. 404.
	ErrServiceNotFound = errors.New("service description not found")
	// ErrCorruptRecord: the record asked for is damaged (failed its
	// checksum, or does not decode); the store never returns it as data.
	// The error is a *CorruptRecordError naming the record. 500.
	ErrCorruptRecord = errors.New("corrupt record")
	// ErrStoreFull: a write failed because the store's disk is full (or a
	// quota or file size limit is reached). Nothing was written. 507.
	ErrStoreFull = errors.New("the token store's disk is full")
	// ErrStoreReadOnly: a write failed because the store, or the disk it
	// is on, is read-only. Nothing was written. 503.
	ErrStoreReadOnly = errors.New("the token store is read-only")
	// ErrStoreUnavailable: the store's backend cannot be reached (the
	// ZooKeeper ensemble of a cluster of routers); the wrapping text says
	// which and why. 503.
	ErrStoreUnavailable = errors.New("the store is unavailable")
)

// CorruptRecordError names a record that failed its checksum or does not
// decode, and what is wrong with it. errors.Is(err, ErrCorruptRecord)
// holds for it.
type CorruptRecordError struct {
	// Record names the record, e.g. `token "app"`, `token "app" history
	// entry 3`, `service description "s-1"`.
	Record string
	// Problem says what is wrong, e.g. "checksum mismatch (stored ...)".
	Problem string
}

func (e *CorruptRecordError) Error() string {
	return ErrCorruptRecord.Error() + ": " + e.Record + ": " + e.Problem
}

// Is makes errors.Is(err, ErrCorruptRecord) hold.
func (e *CorruptRecordError) Is(target error) bool { return target == ErrCorruptRecord }

// Errors the Router reports.
var (
	// ErrInstanceNotFound: the router knows no such instance of the
	// service. 404.
	ErrInstanceNotFound = errors.New("instance not found")
	// ErrInstanceBeingKilled: an operator asked to kill an instance that a
	// kill is already under way for (the operator's own, or a scale-down's).
	// 409 "Instance is already being killed".
	ErrInstanceBeingKilled = errors.New("instance is already being killed")
	// ErrInstanceInUse: an instance asked to be ejected serves requests
	// now, by an operator's /eject or by a peer before the leader kills it
	// (Waiter's eject answers 423 Locked; a peer's 423 vetoes the kill).
	ErrInstanceInUse = errors.New("instance is in use")
	// ErrBadPath: a path into an instance's folder that is not one
	// (absolute, or leaving the folder).
	ErrBadPath = errors.New("path outside the instance's folder")
)
