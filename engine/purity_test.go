package engine

import (
	"os"
	"os/exec"
	"strings"
	"testing"
)

// TestEngineIsPure proves the engine imports no I/O or clock library: the
// same code must run in production and in virtual time.
func TestEngineIsPure(t *testing.T) {
	out, err := exec.Command("go", "list", "-deps", ".").Output()
	if err != nil {
		t.Fatalf("go list -deps: %v", err)
	}
	forbidden := []string{
		"net/http", "os/exec", "net",
		"go.etcd.io/bbolt", "github.com/gambol99/go-marathon",
		"github.com/julienschmidt/httprouter", "github.com/benbjohnson/clock",
		"math/rand", "math/rand/v2",
		"github.com/waiter-go/waiter/adapters", "github.com/waiter-go/waiter/sim",
	}
	deps := strings.Fields(string(out))
	for _, dep := range deps {
		for _, f := range forbidden {
			if dep == f || strings.HasPrefix(dep, f+"/") {
				t.Errorf("engine depends on %s", dep)
			}
		}
	}
	if len(deps) < 5 {
		t.Fatalf("suspiciously short dependency list: %v", deps)
	}
}

// TestEngineSourceHasNoClockOrGoroutines scans the engine's non-test source
// for the calls the design forbids.
func TestEngineSourceHasNoClockOrGoroutines(t *testing.T) {
	out, err := exec.Command("go", "list", "-f", "{{range .GoFiles}}{{.}} {{end}}", ".").Output()
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range strings.Fields(string(out)) {
		src, err := readFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, bad := range []string{"time.Now(", "time.Since(", "time.Sleep(", "time.After(", "time.NewTimer(", "go func", "chan "} {
			if strings.Contains(src, bad) {
				t.Errorf("%s contains %q", f, bad)
			}
		}
	}
}

func readFile(name string) (string, error) {
	b, err := os.ReadFile(name)
	return string(b), err
}
