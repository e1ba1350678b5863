package sim

import (
	"os/exec"
	"strings"
	"testing"
)

// TestSimIsVirtualTimeOnly proves that no package under sim/ can listen,
// start a process or read a real clock through a library: what serves
// the Marathon model in real time lives in internal/fakemarathon, and a
// simulator run stays a pure function of its scenario and seed.
func TestSimIsVirtualTimeOnly(t *testing.T) {
	out, err := exec.Command("go", "list", "-deps", "./...").Output()
	if err != nil {
		t.Fatalf("go list -deps ./...: %v", err)
	}
	// Standard packages by exact path (net/url and net/netip parse text);
	// modules and this module's folders with everything below them.
	stdlib := []string{"net", "net/http", "os/exec", "os/signal"}
	forbidden := []string{
		"github.com/benbjohnson/clock", "github.com/gambol99/go-marathon",
		"github.com/waiter-go/waiter/adapters", "github.com/waiter-go/waiter/cmd",
		"github.com/waiter-go/waiter/internal/fakemarathon",
		"github.com/waiter-go/waiter/internal/localproc",
		"github.com/waiter-go/waiter/internal/procgroup",
	}
	deps := strings.Fields(string(out))
	for _, dep := range deps {
		for _, f := range stdlib {
			if dep == f {
				t.Errorf("sim/ depends on %s", dep)
			}
		}
		for _, f := range forbidden {
			if dep == f || strings.HasPrefix(dep, f+"/") {
				t.Errorf("sim/ depends on %s", dep)
			}
		}
	}
	if len(deps) < 20 {
		t.Fatalf("suspiciously short dependency list: %v", deps)
	}
}
