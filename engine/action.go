package engine

import "time"

// ActionKind says which fields of an Action are meaningful.
type ActionKind uint8

const (
	// ActDispatch: send Request to Instance of Service. The driver must
	// later report EvRequestFinished (or EvRequestCanceled) for it.
	ActDispatch ActionKind = iota + 1
	// ActReject: answer Request with Err; the request is finished.
	ActReject
	// ActCreateService: create Service at the scheduler from Description
	// with Instances requested; report EvCreateResult.
	ActCreateService
	// ActScaleService: set Service's requested instance count to
	// Instances (Force: even while a deployment runs); report EvScaleResult.
	ActScaleService
	// ActKillInstance: kill Instance of Service and, unless Replace is
	// set, decrement the service's requested count by one (Marathon's
	// scale=true); report EvKillResult. Force asks for SIGKILL at once.
	ActKillInstance
	// ActDeleteService: remove Service and all its instances from the
	// scheduler. The engine has already forgotten it.
	ActDeleteService
	// ActWakeAt: deliver an EvTick at or after At. Each WakeAt replaces
	// the previous one.
	ActWakeAt
	// ActAskEject: before killing Instance of Service, ask every peer to
	// stop using it; report EvEjectResult (a peer that uses it vetoes).
	ActAskEject
	// ActEjectAnswer: tell peer Router whether this router ejected
	// Instance of Service (Err nil) or vetoes its kill because it still
	// uses it (Err is ErrInstanceInUse; Waiter answers 423). The answer to
	// EvEjectRequested.
	ActEjectAnswer
	// ActDelegateKill: the leader has no killable instance of Service and
	// asks peer Router to choose one; report its answer as EvKillCandidate
	// (Instance "" if the peer cannot be reached).
	ActDelegateKill
	// ActKillCandidate: tell peer Router (the leader) that Instance of
	// Service may be killed ("" when none); the answer to EvKillDelegated.
	ActKillCandidate
	// ActOfferSlot: lend one slot of Instance of Service to peer Router,
	// which needs help (work stealing). The slot stays reserved here until
	// the driver reports EvSlotReleased.
	ActOfferSlot
	// ActReleaseSlot: give back to peer Router the slot of Instance of
	// Service it lent (EvSlotOffered), with the Outcome of the request it
	// served (OutcomeClientError when it served none).
	ActReleaseSlot
)

var actionKindNames = [...]string{"", "dispatch", "reject", "create-service", "scale-service",
	"kill-instance", "delete-service", "wake-at", "ask-eject", "eject-answer", "delegate-kill",
	"kill-candidate", "offer-slot", "release-slot"}

func (k ActionKind) String() string {
	if int(k) < len(actionKindNames) {
		return actionKindNames[k]
	}
	return "action(?)"
}

// Action is one instruction to the driver. Like Event it is a flat struct
// so that the request path allocates nothing.
//
// Ordering contract: the driver executes the actions of one Step in slice
// order. Within a Step, rejects and dispatches come in the order the
// engine decided them (FIFO per service), scheduler actions follow the
// routing actions they were derived from, and at most one ActWakeAt comes
// last.
type Action struct {
	Kind     ActionKind
	Service  string
	Request  RequestID
	Instance string
	// Ref echoes ObservedInstance.Ref of the instance on ActDispatch.
	Ref uint64
	// Host and Port of the instance on ActDispatch.
	Host      string
	Port      int
	Instances int
	Force     bool
	// Replace marks an operator kill: the scheduler keeps the requested
	// count and starts a replacement.
	Replace     bool
	Description *Description
	// Err says why a request was rejected.
	Err *Error
	At  time.Time
	// Why explains a scheduler action in words, for logs and reports.
	Why string
	// Router names the peer an inter-router action goes to
	// (ActEjectAnswer, ActDelegateKill, ActKillCandidate, ActOfferSlot,
	// ActReleaseSlot).
	Router string
	// Outcome of the request a borrowed slot served, on ActReleaseSlot.
	Outcome Outcome
}
