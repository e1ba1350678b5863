package peers

import (
	"time"

	"github.com/waiter-go/waiter/engine"
)

// Paths of the inter-router endpoints. The prefix keeps them apart from
// Waiter's public API; Handler serves them all.
const (
	Prefix      = "/waiter-router/"
	PathSync    = Prefix + "metrics-sync"
	PathEject   = Prefix + "eject"
	PathKill    = Prefix + "kill-candidate"
	PathOffer   = Prefix + "offer-slot"
	PathRelease = Prefix + "release-slot"
	PathMetrics = Prefix + "metrics"
	PathKnows   = Prefix + "knows"
)

// MaxMessage bounds one metrics-sync message and one response body.
const MaxMessage = 4 << 20

// wireCounters is engine.ServiceCounters on the wire, with Waiter's names.
type wireCounters struct {
	Service        string `json:"service-id"`
	Outstanding    int    `json:"outstanding"`
	Waiting        int    `json:"waiting-for-available-instance"`
	SlotsInUse     int    `json:"slots-in-use"`
	SlotsAvailable int    `json:"slots-available"`
	SlotsReceived  int    `json:"slots-received"`
	// LastRequest in Unix milliseconds; 0 for none.
	LastRequest int64 `json:"last-request-time,omitempty"`
}

func toWire(c engine.ServiceCounters) wireCounters {
	w := wireCounters{Service: c.Service, Outstanding: c.Outstanding, Waiting: c.Waiting,
		SlotsInUse: c.SlotsInUse, SlotsAvailable: c.SlotsAvailable, SlotsReceived: c.SlotsReceived}
	if !c.LastRequest.IsZero() {
		w.LastRequest = c.LastRequest.UnixMilli()
	}
	return w
}

func (w wireCounters) counters() engine.ServiceCounters {
	c := engine.ServiceCounters{Service: w.Service, Outstanding: w.Outstanding, Waiting: w.Waiting,
		SlotsInUse: w.SlotsInUse, SlotsAvailable: w.SlotsAvailable, SlotsReceived: w.SlotsReceived}
	if w.LastRequest > 0 {
		c.LastRequest = time.UnixMilli(w.LastRequest)
	}
	return c
}

// syncMessage is one metrics-sync message: the sender's counters of every
// service it knows.
type syncMessage struct {
	Services []wireCounters `json:"services"`
}

// ejectRequest is the body of POST PathEject (Waiter's /eject body, with
// the service named; the period is the engine's, not the caller's).
type ejectRequest struct {
	Service  string `json:"service-id"`
	Instance string `json:"instance-id"`
	Reason   string `json:"reason"`
}

// killRequest is the body of POST PathKill.
type killRequest struct {
	Service string `json:"service-id"`
}

// killResponse names the instance a delegated kill may take.
type killResponse struct {
	Instance string `json:"instance-id"`
}

// slotMessage is the body of POST PathOffer and PathRelease: one slot of
// one instance, and on release how the request it served ended.
type slotMessage struct {
	Service  string `json:"service-id"`
	Instance string `json:"instance-id"`
	Outcome  string `json:"response-status,omitempty"`
}

// outcomes are engine.Outcome by name on the wire.
var outcomes = map[string]engine.Outcome{}

func init() {
	for o := engine.OutcomeSuccess; o <= engine.OutcomeInstanceBusy; o++ {
		outcomes[o.String()] = o
	}
}

// knowsResponse answers GET PathKnows.
type knowsResponse struct {
	Known bool `json:"known"`
}
