package waiterhttp

import (
	"context"
	"errors"
	"net/http"
	"time"

	"github.com/waiter-go/waiter/engine"
)

// Router is the port to the driver that owns the engine. The driver
// serialises everything through the engine; these calls are safe from any
// goroutine.
type Router interface {
	// Admit hands a request to the engine and blocks until the engine
	// dispatches it to an instance (a Grant) or refuses it (an
	// *engine.Error), or ctx ends. When ctx ends first the driver reports
	// the request as canceled and Admit returns ctx's error.
	Admit(ctx context.Context, a Admission) (Grant, error)
	// Release reports how a granted request ended. Every Grant is released
	// exactly once.
	Release(g Grant, outcome engine.Outcome)
	// Start makes sure a service exists and is starting, without queueing
	// a request: token fallback serves the previous service while the
	// newest one starts in the background.
	Start(d *engine.Description)
	// DeleteService removes a service the router knows and reports whether
	// it knew one.
	DeleteService(id string) bool
	// Suspend refuses (true) or accepts again (false) requests to a service.
	Suspend(id string, suspended bool)
	// Override replaces a known service's description (same id) with d.
	Override(d *engine.Description)
	// KillInstance stops one instance of a service at once (an operator's
	// kill): the engine stops routing to it and the scheduler replaces it,
	// so the service keeps its requested instance count. It returns when
	// the scheduler has killed it; ErrInstanceNotFound for an instance the
	// router does not know.
	KillInstance(ctx context.Context, serviceID, instanceID string) error
	// Services lists what the router knows of every service, by id.
	Services() []ServiceSnapshot
	// Service returns what the router knows of one service.
	Service(id string) (ServiceSnapshot, bool)
	// State is the router's own view for /state: any JSON-encodable value.
	State() any
}

// LoadLister is implemented by Routers that can list every service's load
// without building full snapshots; /metrics uses it when it is there, so a
// scrape costs the router one pass over its services.
type LoadLister interface {
	ServiceLoads() []ServiceLoad
}

// Admission is one request as the engine needs it.
type Admission struct {
	Description *engine.Description
	// QueueTimeout of 0 means the engine's default.
	QueueTimeout time.Duration
	// Priority requests (/waiter-ping) are served before queued ones.
	Priority bool
}

// Grant is a dispatched request: which instance serves it, and where.
type Grant struct {
	Request  engine.RequestID
	Service  string
	Instance string
	Host     string
	Port     int
}

// Token is one version of a token as the store keeps it.
type Token struct {
	Name string
	// Data holds service parameters and token metadata.
	Data    map[string]any
	ETag    string
	Deleted bool
}

// TokenResult says what a token write did (x-waiter-operation-result).
type TokenResult string

// Token write results.
const (
	TokenCreated TokenResult = "token-created"
	TokenUpdated TokenResult = "token-updated"
	TokenNoOp    TokenResult = "token-no-op"
	TokenDeleted TokenResult = "token-deleted"
)

// TokenStore keeps tokens with ETags, history and soft deletion. Writes
// take the acting user and the time, so the store never reads a clock.
type TokenStore interface {
	// GetToken returns the current version; a soft-deleted one only when
	// includeDeleted (else ErrTokenNotFound).
	GetToken(name string, includeDeleted bool) (Token, error)
	// PutToken creates or updates a token; a non-empty ifMatch must equal
	// the current ETag (ErrPreconditionFailed).
	PutToken(name string, data map[string]any, ifMatch, user string, now time.Time) (Token, TokenResult, error)
	// DeleteToken soft- or hard-deletes a token; hard deletes of a live
	// token need ifMatch (ErrIfMatchRequired).
	DeleteToken(name string, hard bool, ifMatch, user string, now time.Time) (Token, error)
	// ListTokens returns tokens owned by any of owners (all when empty),
	// sorted by name.
	ListTokens(owners []string, includeDeleted bool) ([]Token, error)
	// TokenHistory returns prior versions, newest first.
	TokenHistory(name string) ([]Token, error)
}

// Change is a per-service record set by an operator: overrides or
// suspension, with who set it and when.
type Change struct {
	Overrides map[string]any
	Suspended bool
	User      string
	Time      time.Time
}

// ServiceStore keeps service descriptions, overrides and suspension by
// service id.
type ServiceStore interface {
	// PutServiceDescription stores the core description of a service the
	// router is about to start (see startsvc.go).
	PutServiceDescription(id string, core map[string]any) error
	// GetServiceDescription returns it, or ErrServiceNotFound.
	GetServiceDescription(id string) (map[string]any, error)
	// GetOverride returns the overrides (zero Change when none).
	GetOverride(id string) (Change, error)
	PutOverride(id string, overrides map[string]any, user string, now time.Time) error
	DeleteOverride(id string) error
	// GetSuspended returns the suspension record (zero Change when none).
	GetSuspended(id string) (Change, error)
	SetSuspended(id string, suspended bool, user string, now time.Time) error
}

// Store is everything the HTTP edge keeps durably.
type Store interface {
	TokenStore
	ServiceStore
}

// Errors a Store reports; implementations wrap them so errors.Is works.
var (
	ErrTokenNotFound      = errors.New("token not found")
	ErrPreconditionFailed = errors.New("cannot modify stale token")
	ErrIfMatchRequired    = errors.New("must specify if-match header for token hard deletes")
	ErrInvalidTokenData   = errors.New("invalid token data")
	ErrServiceNotFound    = errors.New("service description not found")
	// ErrCorruptRecord: the record asked for is damaged (failed its
	// checksum); the store never returns it as data. The error's text
	// names the record.
	ErrCorruptRecord = errors.New("corrupt record")
	// ErrStoreFull: a write failed because the store's disk is full.
	ErrStoreFull = errors.New("the token store's disk is full")
	// ErrStoreReadOnly: a write failed because the store is read-only.
	ErrStoreReadOnly = errors.New("the token store is read-only")
)

// StoreHealth is a store's own view of its condition, shown by /status.
type StoreHealth struct {
	// Status is "ok" or "degraded".
	Status string
	// CorruptRecords names the damaged records the store does not serve.
	CorruptRecords []string
	ReadOnly       bool
	// WriteFailure describes the last write that failed for lack of disk
	// space or a read-only disk, until a write succeeds.
	WriteFailure string
}

// HealthReporter is implemented by Stores that know their own condition;
// /status shows it when the Store has it.
type HealthReporter interface {
	StoreHealth() StoreHealth
}

// Principal is who sent a request: the user the router acts for and the
// method that proved it (Waiter's x-waiter-auth-user and
// x-waiter-auth-method debug headers).
type Principal struct {
	User   string
	Method string
	// Expires, when set, is when the credential that proved the
	// principal stops being valid (a JWT's exp, a Kerberos ticket's end):
	// the x-waiter-auth cookie the router sets never outlives it.
	Expires time.Time
}

// Authenticator identifies the sender of a request (reference 1.2 step 4).
// An error means 401; an *AuthError says which challenges to offer in
// www-authenticate.
type Authenticator interface {
	Authenticate(r *http.Request) (Principal, error)
}

// Entitlements answers the permission questions Waiter's entitlement
// manager answers (reference 1.2 step 5 and 7.3) for an authenticated user.
type Entitlements interface {
	// CanRunAs reports whether user may start services, or own tokens,
	// as runAs.
	CanRunAs(user, runAs string) bool
	// CanManage reports whether user may manage what owner owns: delete,
	// override or suspend its services, edit its tokens.
	CanManage(user, owner string) bool
	// IsAdmin reports whether user may administer tokens (hard delete,
	// update-mode=admin) and everything else of every user.
	IsAdmin(user string) bool
}

// ErrInstanceNotFound is what a Router reports for an instance it does
// not know.
var ErrInstanceNotFound = errors.New("instance not found")
