package waiter

import "time"

// HistoryKeeper is implemented by Routers that remember the recent past
// of their services for the dashboard (adapters/http): a small ring of
// samples per service and for the router's totals, and the deployment
// errors services had.
// A Router without it still gets a dashboard, showing only the present.
type HistoryKeeper interface {
	// ServiceHistory returns a service's samples, oldest first (none for
	// a service the router does not run).
	ServiceHistory(id string) []HistorySample
	// TotalHistory returns the sums over every service, oldest first.
	TotalHistory() []HistorySample
	// DeploymentErrors returns the recent deployment errors, newest first:
	// current ones and those that cleared or whose service went away.
	DeploymentErrors() []DeploymentErrorRecord
}

// HistorySample is one moment of a service (or of the router's totals):
// the instance counts the scheduler was asked for, the scaling policy
// wanted and were healthy, and the requests outstanding and waiting.
type HistorySample struct {
	At          time.Time
	Requested   int
	Desired     int
	Healthy     int
	Outstanding int
	Waiting     int
}

// DeploymentErrorRecord is one deployment error of one service: from
// when the router first saw it to when it cleared (zero while current).
type DeploymentErrorRecord struct {
	ServiceID string
	Name      string
	Message   string
	Since     time.Time
	Until     time.Time
}
