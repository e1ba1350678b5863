package fakemarathon

import (
	"time"

	"github.com/waiter-go/waiter/sim/marathon"
)

// sink applies what the real processes report to the model, under the
// server's lock (procs.Sink).
type sink struct{ s *Server }

func (k sink) CheckDone(ref marathon.TaskRef, r marathon.CheckResult) {
	k.s.locked(func(now time.Duration) { k.s.model.HealthCheckDone(now, ref, r) })
}

func (k sink) ProgramEnded(ref marathon.TaskRef, f marathon.Failure) {
	k.s.locked(func(now time.Duration) { k.s.model.ProgramEnded(now, ref, f) })
}
