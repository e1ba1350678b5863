package engine

import "time"

// RequestID identifies one request for its whole life. The driver chooses
// ids; they must be unique among requests the engine has not yet finished.
type RequestID uint64

// EventKind says which fields of an Event are meaningful.
type EventKind uint8

const (
	// EvTick only carries time. Drivers send it at or after the time of
	// the last WakeAt action (earlier ticks are harmless).
	EvTick EventKind = iota + 1
	// EvRequestArrived: Request arrived for Service. Description must be
	// set when the engine may not know the service yet (the engine keeps
	// the first description it sees for an id). QueueTimeout of 0 means
	// the engine's configured default. Priority requests (waiter-ping) are
	// served before queued ones.
	EvRequestArrived
	// EvRequestFinished: a dispatched Request ended with Outcome.
	EvRequestFinished
	// EvRequestCanceled: the client of a queued or dispatched Request went
	// away. A dispatched request is released as a client error.
	EvRequestCanceled
	// EvServiceObserved: the scheduler's view of one service (Observation).
	EvServiceObserved
	// EvScaleResult: the scheduler accepted (Err == nil) or refused a
	// ScaleService action for Service.
	EvScaleResult
	// EvKillResult: the scheduler killed (Err == nil) or failed to kill
	// Instance of Service.
	EvKillResult
	// EvCreateResult: the scheduler created (Err == nil) or failed to
	// create Service.
	EvCreateResult
	// EvDeleteService: remove Service now (an operator's DELETE /apps/{id}).
	EvDeleteService
	// EvSuspend / EvResume: refuse, or accept again, requests to Service.
	EvSuspend
	EvResume
	// EvOverride: replace Service's description (same id) with Description,
	// e.g. after POST /apps/{id}/override.
	EvOverride
	// EvStartService: make sure Service runs (Description must be set),
	// without a request: /waiter-ping and token fallback start services
	// this way. It counts as activity for idle removal.
	EvStartService
	// EvKillInstance: an operator kills Instance of Service now (POST
	// /apps/{id}/instance/{iid}/kill). The engine stops routing to it and
	// emits ActKillInstance with Force set from the event; the requested
	// count is not changed, so the scheduler replaces the instance.
	EvKillInstance
	// EvClusterChanged: the routers or this router's leadership changed
	// (Cluster). Slots are redistributed at once.
	EvClusterChanged
	// EvPeerCounters: a peer's counters arrived (Peer).
	EvPeerCounters
	// EvEjectResult: every peer ejected Instance of Service for a kill
	// (Err == nil), or one vetoed it because it still uses it (Err set);
	// the answer to ActAskEject.
	EvEjectResult
	// EvServiceStale: every token version that reached Service has been
	// edited; it goes once idle at Until (StaleDeadline, stale.go). A
	// zero Until says it is no longer stale (the edit was reverted).
	EvServiceStale
	// EvEjectInstance: stop routing to Instance of Service until Until
	// (POST /eject), unless it serves requests now (EjectBlocked).
	EvEjectInstance
	// EvExpireInstance: an operator marks Instance of Service expired
	// (POST /apps/{id}/instance/{iid}/expire): it is replaced as one past
	// its instance-expiry-mins is.
	EvExpireInstance
	// EvServiceActivity: Service was used at Until elsewhere (external
	// metrics' last-request-time); idle removal counts from the latest
	// use, never from a time after the event.
	EvServiceActivity
	// EvEjectRequested: peer Router asks this router to stop using
	// Instance of Service because it is about to kill it (Waiter's
	// /eject). The engine answers with ActEjectAnswer: it ejects the
	// instance and agrees, or vetoes while a request of its own still runs
	// on it (Waiter answers 423).
	EvEjectRequested
	// EvKillDelegated: the leader (Router) has no instance of Service it
	// may kill and asks this router to choose one among the instances it
	// knows to be idle (Waiter's waiter-kill-instance). The engine answers
	// with ActKillCandidate; a chosen instance stops taking requests here.
	EvKillDelegated
	// EvKillCandidate: peer Router's answer to ActDelegateKill: Instance
	// of Service may be killed ("" when the peer has none). The leader
	// then runs its kill protocol (ActAskEject) on it.
	EvKillCandidate
	// EvSlotOffered: peer Router lends one slot of Instance of Service
	// (work stealing, reference 4.4). The engine keeps it while this
	// router still needs help and answers with ActReleaseSlot once the
	// slot served one request, or at once (Outcome OutcomeClientError,
	// Waiter's promptly-rejected) when help is no longer needed.
	EvSlotOffered
	// EvSlotReleased: peer Router gives back a slot of Instance of Service
	// that this router lent it (the answer to ActOfferSlot); Outcome is
	// how the request it served ended (ejection applies as for one of our
	// own requests). Err set: the offer never reached the peer.
	EvSlotReleased
)

var eventKindNames = [...]string{"", "tick", "request-arrived", "request-finished", "request-canceled",
	"service-observed", "scale-result", "kill-result", "create-result", "delete-service",
	"suspend", "resume", "override", "start-service", "kill-instance",
	"cluster-changed", "peer-counters", "eject-result", "service-stale",
	"eject-instance", "expire-instance", "service-activity", "eject-requested", "kill-delegated",
	"kill-candidate", "slot-offered", "slot-released"}

func (k EventKind) String() string {
	if int(k) < len(eventKindNames) {
		return eventKindNames[k]
	}
	return "event(?)"
}

// Outcome is how a dispatched request ended, as the driver classified it
// (reference 1.8 and 5.4).
type Outcome uint8

const (
	// OutcomeSuccess: the backend answered (any status but 503).
	OutcomeSuccess Outcome = iota
	// OutcomeClientError: the client misbehaved or went away; the instance
	// is not blamed.
	OutcomeClientError
	// OutcomeInstanceError: connect failure, backend timeout or failure;
	// the instance is ejected.
	OutcomeInstanceError
	// OutcomeInstanceBusy: the backend answered 503; the instance is ejected.
	OutcomeInstanceBusy
)

func (o Outcome) String() string {
	return [...]string{"success", "client-error", "instance-error", "instance-busy"}[o]
}

// Event is one input to the engine. It is a flat struct, not an interface,
// so that the request path allocates nothing; Kind says which fields count.
type Event struct {
	Kind EventKind
	// At is when the event happened. Events must come in time order; an
	// event earlier than one already seen is treated as happening at the
	// later time.
	At           time.Time
	Service      string
	Request      RequestID
	Instance     string
	Outcome      Outcome
	QueueTimeout time.Duration
	Priority     bool
	Description  *Description
	Observation  *Observation
	// Err is the scheduler's error on a failed action result, as the
	// adapter returned it (errors.Is and errors.As see its kind).
	Err error
	// Force asks for SIGKILL instead of SIGTERM on EvKillInstance.
	Force bool
	// Cluster is set on EvClusterChanged, Peer on EvPeerCounters.
	Cluster *ClusterView
	Peer    *PeerCounters
	// Until is set on EvServiceStale, EvEjectInstance and
	// EvServiceActivity.
	Until time.Time
	// Router names the peer an inter-router event comes from
	// (EvEjectRequested, EvKillDelegated, EvKillCandidate, EvSlotOffered,
	// EvSlotReleased).
	Router string
	// Ref, on EvRequestArrived and EvServiceObserved, may hold the
	// driver's handle on the service (Engine.ServiceRef): a hint that
	// spares looking the id up.
	Ref ServiceRef
}

// InstanceFlags are facts a scheduler reports about an instance (reference 5.1).
type InstanceFlags uint16

const (
	FlagExpired InstanceFlags = 1 << iota
	FlagMemoryLimitExceeded
	FlagNeverPassedHealthChecks
	FlagHasConnected
	FlagHasResponded
	FlagTimeoutException
	FlagSSLException
)

// ObservedInstance is the scheduler's view of one instance.
type ObservedInstance struct {
	ID        string
	Host      string
	Port      int
	StartedAt time.Time
	Healthy   bool
	// HealthCheckStatus is the HTTP status of the last health check, 0 if none.
	HealthCheckStatus int
	Flags             InstanceFlags
	// ExitCode of a failed instance; HasExitCode says whether it is known.
	ExitCode    int
	HasExitCode bool
	Message     string
	// Ref is the driver's own handle for the instance (an index, say); the
	// engine echoes it in ActDispatch so the driver needs no lookup by id.
	Ref uint64
}

// Observation is the scheduler's view of one service at one poll.
type Observation struct {
	// Exists is false when the scheduler does not know the service.
	Exists bool
	// Requested is the number of instances asked for (Marathon "instances").
	Requested int
	// Scheduled is the number of tasks that exist (Marathon count(tasks)).
	Scheduled int
	// Instances lists live instances, healthy or not.
	Instances []ObservedInstance
	// Failed lists recently failed instances (newest last, at most ~10).
	Failed []ObservedInstance
	// DeploymentError is set when the scheduler knows that no instance
	// can start, and why (the shell scheduler: a run-as-user that does not
	// exist on its host). It is the service's deployment error while no
	// instance is healthy, ahead of those inferred from failed instances,
	// and reaches clients as "Deployment error: <it>".
	DeploymentError string
}
