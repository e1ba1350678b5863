package router

import (
	"time"

	"github.com/waiter-go/waiter/engine"
)

// MarkStale tells the engine that every token version that reached the
// service was edited, so it goes once idle after at; a zero at says it is
// no longer stale (EvServiceStale). The rule is engine.StaleDeadline's.
func (d *Driver) MarkStale(id string, at time.Time) {
	d.do(func() { d.step(engine.Event{Kind: engine.EvServiceStale, Service: id, Until: at}) })
}
