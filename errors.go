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
)

// Errors the Router reports.
var (
	// ErrInstanceNotFound: the router knows no such instance of the
	// service. 404.
	ErrInstanceNotFound = errors.New("instance not found")
	// ErrInstanceBeingKilled: an operator asked to kill an instance that a
	// kill is already under way for (the operator's own, or a scale-down's).
	// 409 "Instance is already being killed".
	ErrInstanceBeingKilled = errors.New("instance is already being killed")
)
