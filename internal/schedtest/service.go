package schedtest

import (
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"testing"
)

// BuildService builds testdata/service into a temporary folder of t and
// returns the binary's path. The go command's build cache makes every
// build after the first cheap.
func BuildService(t testing.TB) string {
	t.Helper()
	_, file, _, ok := runtime.Caller(0)
	if !ok {
		t.Fatal("schedtest: cannot locate its own source")
	}
	src := filepath.Join(filepath.Dir(file), "testdata", "service")
	goBin, err := exec.LookPath("go")
	if err != nil {
		// Tests run under `go test`, which puts its own go first in PATH.
		t.Fatalf("schedtest: the go command is not in PATH: %v", err)
	}
	out := filepath.Join(t.TempDir(), "service")
	cmd := exec.Command(goBin, "build", "-o", out, ".")
	cmd.Dir = src
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("schedtest: go build %s: %v\n%s", src, err, b)
	}
	return out
}
