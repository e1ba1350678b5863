package acceptance

import (
	"flag"
	"fmt"
	"os"
	"testing"
	"time"

	"github.com/waiter-go/waiter/internal/e2ekit"
)

// minParallel is how many tests run at once unless -test.parallel says
// otherwise: they spend their time waiting for instances and timeouts, not
// on the CPU, so the default (GOMAXPROCS, 2 in CI) would serialize them
// and multiply the suite's run time.
const minParallel = 24

func TestMain(m *testing.M) {
	flag.Parse()
	if testing.Short() {
		fmt.Println("acceptance: skipped in -short mode (builds and runs waiter serve)")
		os.Exit(0)
	}
	e2ekit.DefaultParallel(minParallel)
	os.Exit(run(m))
}

// run builds the binaries, starts the shared router, runs the tests, then
// stops the router and checks that it exited 0 and left nothing running.
func run(m *testing.M) int {
	dir, err := os.MkdirTemp("", "waiter-acceptance-")
	if err != nil {
		fmt.Fprintln(os.Stderr, "acceptance:", err)
		return 1
	}
	defer os.RemoveAll(dir)
	// Instances run as other users (a token's run-as-user, with the
	// router run as root) must reach kitchen and their folders inside.
	if err := os.Chmod(dir, 0o755); err != nil {
		fmt.Fprintln(os.Stderr, "acceptance:", err)
		return 1
	}

	if bins, err = buildBinaries(dir); err != nil {
		fmt.Fprintln(os.Stderr, "acceptance:", err)
		return 1
	}
	if err := setupTLS(dir); err != nil {
		fmt.Fprintln(os.Stderr, "acceptance:", err)
		return 1
	}
	if err := setupAuth(dir); err != nil {
		fmt.Fprintln(os.Stderr, "acceptance:", err)
		return 1
	}
	routerDir := dir + "/shared"
	if err := os.Mkdir(routerDir, 0o755); err != nil {
		fmt.Fprintln(os.Stderr, "acceptance:", err)
		return 1
	}
	if shared, err = startRouter(bins, routerDir, "acceptance-shared", sharedPortRange); err != nil {
		fmt.Fprintln(os.Stderr, "acceptance:", err)
		return 1
	}

	code := m.Run()

	exit, err := shared.stop(30 * time.Second)
	switch {
	case err != nil:
		fmt.Fprintln(os.Stderr, "acceptance: stopping the shared router:", err)
		code = 1
	case exit != 0:
		fmt.Fprintf(os.Stderr, "acceptance: the shared router exited %d after SIGTERM, want 0\n", exit)
		code = 1
	}
	if left := shared.leftovers(); len(left) > 0 {
		fmt.Fprintf(os.Stderr, "acceptance: the shared router left behind: %v\n", left)
		for _, p := range processesUnder(shared.workDir) {
			if proc, err := os.FindProcess(p.PID); err == nil {
				_ = proc.Kill()
			}
		}
		code = 1
	}
	if code != 0 {
		fmt.Fprintf(os.Stderr, "acceptance: the shared router's log (last 150 lines):\n%s\n", shared.logTail(150))
	}
	return code
}
