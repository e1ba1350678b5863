package waiter

import (
	"context"
	"io"
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
	// router does not know, ErrInstanceBeingKilled for one a kill is
	// already under way for.
	KillInstance(ctx context.Context, serviceID, instanceID string) error
	// Services lists what the router knows of every service, by id.
	Services() []ServiceSnapshot
	// Service returns what the router knows of one service.
	Service(id string) (ServiceSnapshot, bool)
	// State is the router's own view for /state: any JSON-encodable value.
	State() any
}

// AsyncAdmitter is implemented by Routers that can admit a request
// without blocking its caller: the router's event-loop front, whose one
// goroutine serves many connections, cannot wait in Admit.
type AsyncAdmitter interface {
	// AdmitAsync hands a request to the engine. When the engine answers
	// it at once (the usual case: an idle instance, or a refusal), the
	// answer comes back with pending 0 and notify is never called.
	// Otherwise the request waits in the engine's queue under the id
	// pending, and notify gets its answer later, once, on whichever
	// goroutine the engine answers it: it must neither block nor call
	// the router.
	AdmitAsync(a Admission, notify func(Grant, error)) (g Grant, pending engine.RequestID, err error)
	// CancelAdmission withdraws the queued request pending, whose client
	// went away; one dispatched meanwhile is released as canceled.
	// notify is not called after it returns.
	CancelAdmission(pending engine.RequestID)
}

// LoadLister is implemented by Routers that can list every service's load
// without building full snapshots; /metrics uses it when it is there, so a
// scrape costs the router one pass over its services.
type LoadLister interface {
	ServiceLoads() []ServiceLoad
}

// InstanceOperator is implemented by Routers that let an operator eject
// an instance for a while (Waiter's /eject) and mark one expired (its
// instance expire signal). Both return ErrInstanceNotFound for an
// instance the router does not know; EjectInstance returns
// ErrInstanceInUse for one serving requests.
type InstanceOperator interface {
	EjectInstance(serviceID, instanceID string, until time.Time) error
	ExpireInstance(serviceID, instanceID string) error
}

// ActivityReporter is implemented by Routers that take activity seen
// elsewhere (external metrics' last-request-time) as use of a service, so
// its idle timeout counts from then.
type ActivityReporter interface {
	ReportActivity(serviceID string, at time.Time)
}

// CreateChecker is implemented by Routers that can tell, before a request
// is admitted, whether it would be refused for creating one service too
// many for its user (the production driver: per-user limits). The HTTP
// edge asks before it stores the description of a service the router
// does not run yet, so a refused request stores nothing.
type CreateChecker interface {
	CheckCreate(d *engine.Description) error
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

// InstanceFiles reads instances' work folders (Waiter's
// retrieve-directory-content, behind /apps/{id}/logs). Paths are relative
// to the instance's folder, "" being the folder itself; one that leaves
// it is ErrBadPath; an instance without a folder ErrInstanceNotFound.
type InstanceFiles interface {
	List(serviceID, instanceID, dir string) ([]FileEntry, error)
	Open(serviceID, instanceID, path string) (io.ReadCloser, FileEntry, error)
}

// FileEntry is one entry of an instance's folder.
type FileEntry struct {
	Name string
	// Path is the entry's path relative to the instance's folder.
	Path string
	Size int64
	Dir  bool
}
