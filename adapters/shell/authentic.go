package shell

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/waiter-go/waiter/engine"
	"github.com/waiter-go/waiter/internal/portowner"
)

// Before an instance is called healthy, the sockets that would receive
// its health check and its traffic (on 127.0.0.1 at its first port and at
// its health-check port) must belong to its own process group. A port is
// only reserved in this scheduler's books: any local program may bind it
// first, and without this check it would receive Waiter's health checks
// and then clients' requests in the instance's name.

// portsState is what verifyPorts found.
type portsState int

const (
	// portsNotListening: nothing listens on the health-check port yet,
	// so a probe would be refused; it is not sent.
	portsNotListening portsState = iota
	// portsOwned: every listener on the checked ports is the group's.
	portsOwned
	// portsForeign: a process outside the group listens on a port.
	portsForeign
	// portsUnknown: /proc could not tell.
	portsUnknown
)

// verifyPorts checks in's listeners and explains any problem. It runs
// before each probe of an instance that is not healthy: listing the
// listeners costs about a third of a probe (sock_diag; see
// internal/portowner's BenchmarkPortCheck), and the sockets already
// found to be the group's are remembered, so the search of the group's
// open files (about four probes) runs once per socket, in practice once
// per instance. Healthy instances are not checked. Monitor goroutine
// only.
func (s *Scheduler) verifyPorts(in *instance) (portsState, string) {
	sp := &in.svc.spec
	health := in.ports[sp.HealthCheckPortIndex]
	listening := false
	for _, port := range checkedPorts(in) {
		ls, err := portowner.LoopbackListeners(port)
		if err != nil {
			return portsUnknown, fmt.Sprintf("cannot tell who listens on port %d: %v", port, err)
		}
		for _, l := range ls {
			listening = listening || port == health
			if in.ownSockets[l.Inode] {
				continue
			}
			held, err := portowner.GroupHolds(in.pid, l.Inode)
			if err != nil {
				return portsUnknown, fmt.Sprintf("cannot tell who holds port %d: %v", port, err)
			}
			if held {
				if in.ownSockets == nil {
					in.ownSockets = map[uint64]bool{}
				}
				in.ownSockets[l.Inode] = true
				continue
			}
			if still, _ := portowner.LoopbackListeners(port); !hasInode(still, l.Inode) {
				// Closed meanwhile (a group member that exited after
				// listening): nobody's socket any more.
				continue
			}
			return portsForeign, foreignMessage(port, portowner.Holders(l.Inode))
		}
	}
	if !listening {
		return portsNotListening, ""
	}
	return portsOwned, ""
}

// checkedPorts are the ports Waiter talks to: the first (traffic) and
// the health-check port.
func checkedPorts(in *instance) []int {
	first, health := in.ports[0], in.ports[in.svc.spec.HealthCheckPortIndex]
	if first == health {
		return []int{first}
	}
	return []int{first, health}
}

func hasInode(ls []portowner.Listener, inode uint64) bool {
	for _, l := range ls {
		if l.Inode == inode {
			return true
		}
	}
	return false
}

// foreignMessage is the failed instance's message: which port, and who
// holds it when this router can see it (as root it sees every process).
func foreignMessage(port int, holders []int) string {
	who := "a process outside the instance's process group"
	if len(holders) > 0 {
		pids := make([]string, len(holders))
		for i, p := range holders {
			pids[i] = strconv.Itoa(p)
		}
		who = "pid " + strings.Join(pids, ", ") + ", outside the instance's process group"
	}
	return fmt.Sprintf("Port %d is held by %s; the instance was never health-checked or sent requests", port, who)
}

// failForeign fails an instance whose port another process holds. It is
// never probed, so it has no FlagHasConnected, and it never passed a
// health check: when every recent failure is like it, Waiter's
// classification gives "Unable to connect to run health checks", which is
// what happened, while its message names the port and the holder. Failing
// it at once (instead of waiting out its grace period) gets a replacement
// after the retry interval, on other ports: a bound port is not handed
// out again. s.mu not held.
func (s *Scheduler) failForeign(in *instance, msg string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if in.stopping {
		return
	}
	s.log.Error("shell: another process holds an instance's port; failing the instance",
		"service", in.svc.spec.ServiceID, "instance", in.id, "pgid", in.pid, "problem", msg)
	s.fail(in, engine.FlagNeverPassedHealthChecks, msg, nil, in.svc.spec.TerminationGracePeriod)
}
