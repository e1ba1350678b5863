package waiter

import "time"

// Token metadata keys (Waiter's system and user metadata, reference §2.2).
// The store writes KeyDeleted, KeyLastUpdateTime and KeyLastUpdateUser
// itself and defaults KeyOwner and KeyRoot; it keeps everything else as
// given.
const (
	KeyOwner          = "owner"
	KeyDeleted        = "deleted"
	KeyLastUpdateTime = "last-update-time" // epoch milliseconds
	KeyLastUpdateUser = "last-update-user"
	KeyRoot           = "root"
	KeyCluster        = "cluster"
	KeyPrevious       = "previous"
)

// Token is one version of a token as the store keeps it.
type Token struct {
	Name string
	// Data is the token's JSON object: service parameters plus metadata.
	// A store may hand the same map to several readers (a cache does):
	// callers must not modify it.
	Data map[string]any
	// ETag is "E-" + hex MD5 of the canonical JSON of Data.
	ETag string
	// Deleted is true for a soft-deleted token (Data["deleted"] == true).
	Deleted bool
	// KeyOrder is the order the env and metadata keys were posted in
	// ("env" -> keys), kept beside the canonical (sorted) Data because
	// Waiter's service ids print maps of up to 8 entries in insertion order
	// (engine.KeyOrder); nil when the store does not know it. A missing
	// order means sorted keys: so a token stored before orders were kept
	// keeps the service id it had until it is written again, and a sorted
	// posted order is not recorded (engine.KeyOrder.Minimal, POST /token).
	KeyOrder map[string][]string
}

// OrderedTokenPutter is a TokenStore that also keeps the order a token's
// env and metadata keys were posted in (Token.KeyOrder). PutToken is
// PutTokenInOrder with a nil order.
type OrderedTokenPutter interface {
	PutTokenInOrder(name string, data map[string]any, order map[string][]string, ifMatch, user string, now time.Time) (Token, TokenResult, error)
}

// Owner returns the token's owner.
func (t Token) Owner() string {
	owner, _ := t.Data[KeyOwner].(string)
	return owner
}

// LastUpdateUser returns the user who wrote this version.
func (t Token) LastUpdateUser() string {
	user, _ := t.Data[KeyLastUpdateUser].(string)
	return user
}

// LastUpdateTime returns when this version was written (UTC, millisecond
// precision), or the zero time if unknown.
func (t Token) LastUpdateTime() time.Time {
	ms, ok := t.Data[KeyLastUpdateTime].(float64)
	if !ok {
		return time.Time{}
	}
	return time.UnixMilli(int64(ms)).UTC()
}

// TokenResult says what a token write did, with Waiter's
// x-waiter-operation-result values.
type TokenResult string

// Token write results.
const (
	TokenCreated TokenResult = "token-created"
	TokenUpdated TokenResult = "token-updated"
	TokenNoOp    TokenResult = "token-no-op"
	TokenDeleted TokenResult = "token-deleted"
)

// TokenFilter selects tokens for ListTokens.
type TokenFilter struct {
	// Owners keeps tokens owned by any of these users; empty keeps all.
	Owners []string
	// IncludeDeleted keeps soft-deleted tokens too.
	IncludeDeleted bool
}

// TokenStore keeps tokens with ETags, history and soft deletion. Writes
// take the acting user and the time, so the store never reads a clock.
type TokenStore interface {
	// GetToken returns the current version; a soft-deleted one only when
	// includeDeleted (else ErrTokenDeleted, which is ErrTokenNotFound).
	GetToken(name string, includeDeleted bool) (Token, error)
	// PutToken creates or updates a token; a non-empty ifMatch must equal
	// the current ETag (ErrPreconditionFailed).
	PutToken(name string, data map[string]any, ifMatch, user string, now time.Time) (Token, TokenResult, error)
	// DeleteToken soft- or hard-deletes a token; hard deletes of a live
	// token need ifMatch (ErrIfMatchRequired).
	DeleteToken(name string, hard bool, ifMatch, user string, now time.Time) (Token, error)
	// ListTokens returns the tokens f selects, sorted by name.
	ListTokens(f TokenFilter) ([]Token, error)
	// TokenHistory returns prior versions, newest first.
	TokenHistory(name string) ([]Token, error)
	// ReplaceDamagedToken repairs a token whose current record is damaged
	// (ErrCorruptRecord), which PutToken and DeleteToken refuse because
	// its ETag and owner cannot be known. With nil data it removes the
	// token, its history and its owner-index entries (a hard delete);
	// otherwise it stores data as the token's new current version
	// (TokenUpdated, its intact history kept). A token whose record is not
	// damaged (any more) is ErrPreconditionFailed, a missing one
	// ErrTokenNotFound: this never writes over a token someone can read.
	ReplaceDamagedToken(name string, data map[string]any, user string, now time.Time) (Token, TokenResult, error)
}
