package syncer

import (
	"errors"
	"time"

	"github.com/waiter-go/waiter/engine"
)

// Why an operator kill was refused.
var (
	// ErrKillInProgress: the instance is being killed already (by the
	// operator or by a scale-down), or was killed and is still listed.
	ErrKillInProgress = errors.New("instance is already being killed")
	// ErrInstanceUnknown: the router knows no such instance of the service.
	ErrInstanceUnknown = errors.New("instance not found")
)

// OperatorKill is an operator's kill of one instance (EvKillInstance):
// the engine stops routing to it at once and asks the scheduler to kill
// it and start a replacement (a kill call with Replace). The actions are
// returned even when the kill is refused (the step may have done other
// due work); the error then says why.
func (s *Syncer) OperatorKill(now time.Time, service, instance string, force bool) ([]Action, error) {
	s.out = s.out[:0]
	s.step(now, &engine.Event{Kind: engine.EvKillInstance, Service: service, Instance: instance, Force: force})
	for _, a := range s.out {
		e := a.Engine
		if a.Call != 0 && e.Kind == engine.ActKillInstance && e.Service == service && e.Instance == instance {
			return s.out, nil
		}
	}
	if snap, ok := s.eng.Service(service); ok {
		for _, in := range snap.Instances {
			if in.ID == instance {
				return s.out, ErrKillInProgress
			}
		}
	}
	return s.out, ErrInstanceUnknown
}
