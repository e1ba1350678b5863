package marathon

import (
	"strconv"
	"strings"
	"time"

	gomarathon "github.com/gambol99/go-marathon"

	"github.com/waiter-go/waiter/engine"
)

// marathonTime is how Marathon writes times.
const marathonTime = "2006-01-02T15:04:05.000Z"

func parseTime(s string) time.Time {
	t, err := time.Parse(marathonTime, s)
	if err != nil {
		t, _ = time.Parse(time.RFC3339Nano, s)
	}
	return t
}

// failedInstance reads a lastTaskFailure as Waiter's
// parse-and-store-failed-instance! does: the exit code from "Command
// exited with status N", memory-limit-exceeded from "Memory limit
// exceeded:", never-passed-health-checks from "Task was killed since
// health check failed". flags adds what the router's own health checks
// learnt of the task while it lived.
func failedInstance(f *gomarathon.LastTaskFailure, flags engine.InstanceFlags) engine.ObservedInstance {
	msg := strings.TrimSpace(f.Message)
	in := engine.ObservedInstance{ID: strings.TrimPrefix(f.TaskID, "/"), Host: f.Host, Message: msg,
		StartedAt: parseTime(f.Timestamp)}
	if strings.Contains(msg, "Memory limit exceeded:") {
		flags |= engine.FlagMemoryLimitExceeded
	}
	if strings.Contains(msg, "Task was killed since health check failed") {
		flags |= engine.FlagNeverPassedHealthChecks
	}
	if strings.Contains(msg, "Command exited with status") {
		fields := strings.Fields(msg)
		if code, err := strconv.Atoi(fields[len(fields)-1]); err == nil {
			in.ExitCode, in.HasExitCode = code, true
		}
	}
	in.Flags = flags
	return in
}

// recordFailure adds app serviceID's lastTaskFailure to its failures
// unless known, keeps the newest maxFailedInstances, and drops entries
// Marathon now lists as live (it called them failed by mistake). s.mu held.
func (s *Scheduler) recordFailure(serviceID string, f *gomarathon.LastTaskFailure, live map[string]bool) {
	list := s.failed[serviceID]
	if f != nil && f.TaskID != "" {
		id := strings.TrimPrefix(f.TaskID, "/")
		known := false
		for _, in := range list {
			known = known || in.ID == id
		}
		if !known && !live[id] {
			list = append(list, failedInstance(f, s.facts[id]))
			if n := len(list) - maxFailedInstances; n > 0 {
				list = append(list[:0:0], list[n:]...)
			}
		}
	}
	kept := list[:0:0]
	for _, in := range list {
		if !live[in.ID] {
			kept = append(kept, in)
		}
	}
	if len(kept) == 0 {
		delete(s.failed, serviceID)
		return
	}
	s.failed[serviceID] = kept
}
