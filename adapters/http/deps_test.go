package waiterhttp

import (
	"os"
	"os/exec"
	"strings"
	"testing"
)

// TestNoOtherAdapters proves the HTTP edge depends on no other adapter:
// what it needs from the store and the scheduler comes through its ports.
func TestNoOtherAdapters(t *testing.T) {
	out, err := exec.Command("go", "list", "-deps", ".").Output()
	if err != nil {
		t.Fatalf("go list -deps: %v", err)
	}
	deps := strings.Fields(string(out))
	for _, dep := range deps {
		if strings.HasPrefix(dep, "github.com/waiter-go/waiter/adapters/") && dep != "github.com/waiter-go/waiter/adapters/http" {
			t.Errorf("adapters/http depends on %s", dep)
		}
		if dep == "go.etcd.io/bbolt" || strings.HasPrefix(dep, "github.com/waiter-go/waiter/cmd") {
			t.Errorf("adapters/http depends on %s", dep)
		}
	}
	if len(deps) < 5 {
		t.Fatalf("suspiciously short dependency list: %v", deps)
	}
}

// TestNoRealClock scans the non-test source for reads of real time: the
// edge takes time only from its injected clock.
func TestNoRealClock(t *testing.T) {
	out, err := exec.Command("go", "list", "-f", "{{range .GoFiles}}{{.}} {{end}}", ".").Output()
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range strings.Fields(string(out)) {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, bad := range []string{"time.Now(", "time.Since(", "time.Sleep(", "time.After(", "time.NewTimer(", "time.AfterFunc(", "clock.New("} {
			if strings.Contains(string(b), bad) {
				t.Errorf("%s contains %q", f, bad)
			}
		}
	}
}
