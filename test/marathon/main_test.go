package marathon

import (
	"flag"
	"fmt"
	"os"
	"runtime"
	"syscall"
	"testing"

	"github.com/waiter-go/waiter/internal/e2ekit"
)

// minParallel is how many tests run at once unless -test.parallel says
// otherwise. They wait on processes and timers, not the CPU, and the idle
// test alone takes over a minute: with the default (GOMAXPROCS) the others
// would queue behind it.
const minParallel = 8

// bins are the programs under test, built once by TestMain.
var bins binaries

func TestMain(m *testing.M) {
	flag.Parse()
	if testing.Short() {
		fmt.Println("test/marathon: skipped in -short mode (builds and runs waiter serve and waiter-sim marathon)")
		os.Exit(0)
	}
	if runtime.GOOS != "linux" {
		fmt.Println("test/marathon: skipped: the simulated Marathon's tasks need Linux")
		os.Exit(0)
	}
	e2ekit.DefaultParallel(minParallel)
	os.Exit(run(m))
}

// run builds the binaries, runs the tests, then checks that no kitchen
// built here is still running: every cluster checks its own tasks, this
// catches a process that escaped them (e.g. one whose sandbox moved).
func run(m *testing.M) int {
	dir, err := os.MkdirTemp("", "waiter-marathon-e2e-")
	if err != nil {
		fmt.Fprintln(os.Stderr, "test/marathon:", err)
		return 1
	}
	defer os.RemoveAll(dir)
	if bins, err = buildBinaries(dir); err != nil {
		fmt.Fprintln(os.Stderr, "test/marathon:", err)
		return 1
	}
	code := m.Run()
	if left := e2ekit.ProcessesRunning(bins.kitchen); len(left) > 0 {
		fmt.Fprintf(os.Stderr, "test/marathon: kitchen processes still running after every test: %v\n", left)
		for _, pid := range left {
			_ = syscall.Kill(pid, syscall.SIGKILL)
		}
		code = 1
	}
	return code
}
