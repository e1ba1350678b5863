package router

import (
	"slices"
	"time"

	"github.com/waiter-go/waiter"
)

// maxDeploymentErrors bounds the router's log of deployment errors: the
// dashboard shows what went wrong lately, not an archive.
const maxDeploymentErrors = 50

// noteDeploymentError records a change of a service's deployment error
// after an observation (the only event that changes one); loop only. A
// new error opens a record, a cleared or replaced one closes it.
func (d *Driver) noteDeploymentError(rec *svcRecord) {
	msg := ""
	if l, ok := d.eng.ServiceLoad(rec.id); ok {
		msg = l.DeploymentError
	}
	if msg == rec.deployError {
		return
	}
	now := d.clk.Now()
	if rec.deployError != "" {
		d.closeDeploymentError(rec.id, now)
	}
	if msg != "" {
		d.openDeploymentError(waiter.DeploymentErrorRecord{ServiceID: rec.id, Name: rec.desc.Name, Message: msg, Since: now})
	}
	rec.deployError = msg
}

// openDeploymentError appends a record, dropping the oldest beyond
// maxDeploymentErrors.
func (d *Driver) openDeploymentError(e waiter.DeploymentErrorRecord) {
	d.deployErrors = append(d.deployErrors, e)
	if n := len(d.deployErrors) - maxDeploymentErrors; n > 0 {
		d.deployErrors = slices.Delete(d.deployErrors, 0, n)
	}
}

// closeDeploymentError ends the service's open record, if it has one.
func (d *Driver) closeDeploymentError(id string, now time.Time) {
	for i := len(d.deployErrors) - 1; i >= 0; i-- {
		if e := &d.deployErrors[i]; e.ServiceID == id && e.Until.IsZero() {
			e.Until = now
			return
		}
	}
}

// DeploymentErrors returns the recent deployment errors, newest first
// (waiter.HistoryKeeper).
func (d *Driver) DeploymentErrors() []waiter.DeploymentErrorRecord {
	var out []waiter.DeploymentErrorRecord
	d.call(func() {
		out = slices.Clone(d.deployErrors)
		slices.Reverse(out)
	})
	return out
}
