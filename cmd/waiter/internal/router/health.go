package router

import "github.com/waiter-go/waiter/engine"

// HealthyCount is how many healthy instances (not killed) service id has,
// what Service(id).Healthy() counts, from the engine's own count
// (engine.Load) without building the service's snapshot; false for a
// service the engine does not know. A proxied request within its token's
// fallback period asks it (adapters/http fallback.go).
func (d *Driver) HealthyCount(id string) (int, bool) {
	var l engine.Load
	var ok bool
	d.do(func() { l, ok = d.eng.ServiceLoad(id) })
	return l.Healthy, ok
}
