package leakcheck

import (
	"flag"
	"fmt"
	"os"
	"testing"

	"go.uber.org/goleak"
)

// ignored are the libraries' goroutines that outlive any caller's use of
// them by design.
var ignored = []string{
	// fasthttp updates a process-wide Date header once a second from the
	// first server on, for the process's life.
	"github.com/valyala/fasthttp.updateServerDate.func1",
	// A fasthttp server's worker pool checks for its stop every 10 s:
	// after Shutdown its cleaner sleeps out the rest of that wait.
	"github.com/valyala/fasthttp.(*workerPool).Start.func2",
	// gokrb5's replay cache is process-wide, its cleaner runs for the
	// process's life. (Its name as the compiler inlined it or not: goleak
	// matches a stack's functions by their whole name.)
	"github.com/jcmturner/gokrb5/v8/service.GetReplayCache.func1.1",
	"github.com/jcmturner/gokrb5/v8/service.VerifyAPREQ.GetReplayCache.func1.1",
	// A request canceled while its connection is being dialed returns at
	// once; net/http's dial goes on in the background until it connects
	// (the connection then goes to the idle pool, or is closed if the
	// transport's idle connections were closed) or fails, within the
	// dial's timeout. On a loaded machine a loopback connect can outlast
	// goleak's second of retries after the last test: seen once in CI,
	// from the peering tests' canceled calls.
	"net/http.(*Transport).dialConnFor",
}

// Run runs m's tests and returns the code to exit with: After's.
func Run(m *testing.M) int { return After(m.Run()) }

// After is the code to exit with once tests ended with code: theirs, or
// 1 when they passed but left goroutines running, which it prints. A
// TestMain that stops something of its own after the tests (a server
// process the tests shared) calls it once that has stopped.
func After(code int) int {
	if code != 0 || benchmarked() {
		return code
	}
	opts := make([]goleak.Option, 0, len(ignored))
	for _, f := range ignored {
		opts = append(opts, goleak.IgnoreAnyFunction(f))
	}
	if err := goleak.Find(opts...); err != nil {
		fmt.Fprintf(os.Stderr, "leakcheck: the tests passed but left goroutines running: %v\n", err)
		return 1
	}
	return 0
}

// Main is a TestMain that runs the tests with Run.
func Main(m *testing.M) { os.Exit(Run(m)) }

// benchmarked reports whether the binary was asked to run benchmarks
// (make bench: go test -bench): their baselines keep servers and pools of
// connections for the binary's life, and a library's pool of them (a
// fasthttp client's) closes only after its idle timeout, so only tests
// are held to leaving nothing behind.
func benchmarked() bool {
	f := flag.Lookup("test.bench")
	return f != nil && f.Value.String() != ""
}
