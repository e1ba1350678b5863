package waiter

import "time"

// Change is a per-service record set by an operator: overrides or
// suspension, with who set it and when (Waiter's ^OVERRIDE#<id> and
// ^STATUS#<id>).
type Change struct {
	Overrides map[string]any
	Suspended bool
	User      string
	Time      time.Time // UTC, millisecond precision
}

// ServiceStore keeps service descriptions, overrides and suspension by
// service id.
type ServiceStore interface {
	// PutServiceDescription stores the core description of a service the
	// router is about to start (adapters/http's storeBeforeStart) and
	// reports whether it wrote anything (storing an identical one again
	// does not).
	PutServiceDescription(id string, core map[string]any) (bool, error)
	// GetServiceDescription returns it, or ErrServiceNotFound.
	GetServiceDescription(id string) (map[string]any, error)
	// GetOverride returns the overrides (zero Change when none).
	GetOverride(id string) (Change, error)
	// PutOverride replaces the overrides of a service; empty overrides
	// are kept as an explicit "none".
	PutOverride(id string, overrides map[string]any, user string, now time.Time) error
	DeleteOverride(id string) error
	// GetSuspended returns the suspension record (zero Change when none).
	GetSuspended(id string) (Change, error)
	SetSuspended(id string, suspended bool, user string, now time.Time) error
	// AddSourceTokens records token versions that reached a service
	// (Waiter's ^SOURCE-TOKENS#<id>), merged into those recorded before:
	// one entry per token name, the version given here replacing an older
	// one. Token owners may maintain the service, after a restart too.
	AddSourceTokens(id string, tokens []SourceToken) error
	// SourceTokens returns the recorded token versions, sorted by name
	// (none when nothing was recorded).
	SourceTokens(id string) ([]SourceToken, error)
	// PurgeService removes every record of a service at once: its
	// description, overrides, suspension and source tokens (cmd/waiter's
	// retention of inactive services). A record that is not there is not
	// an error.
	PurgeService(id string) error
}

// SourceToken is a token version that reached a service: the token's name
// and its ETag at the time (Waiter's source-tokens entry).
type SourceToken struct {
	Name string
	ETag string
}

// Store is everything `waiter serve` keeps durably.
type Store interface {
	TokenStore
	ServiceStore
}

// StoreHealth is a store's own view of its condition, shown by /status.
type StoreHealth struct {
	// Status is HealthOK, or HealthDegraded when any of the fields below
	// says something is wrong.
	Status string
	// CorruptRecords names, sorted, the damaged records the store does not
	// serve; the rest of the store works.
	CorruptRecords []string
	// ReadOnly is true when the store could only be opened for reading:
	// writes fail with ErrStoreReadOnly.
	ReadOnly bool
	// WriteFailure describes the last write that failed for lack of disk
	// space or a read-only disk, until a write succeeds.
	WriteFailure string
}

// StoreHealth.Status values.
const (
	HealthOK       = "ok"
	HealthDegraded = "degraded"
)

// HealthReporter is implemented by Stores that know their own condition;
// /status shows it when the Store has it.
type HealthReporter interface {
	StoreHealth() StoreHealth
}

// TokenCacheSizer is implemented by Stores that cache tokens; /metrics
// then shows how many entries they hold (waiter_cache_entries).
type TokenCacheSizer interface {
	CachedTokens() int
}
