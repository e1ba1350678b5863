package marathon

import (
	"context"
	"os"
	"testing"
	"time"

	"github.com/waiter-go/waiter/internal/fakemarathon"
	"github.com/waiter-go/waiter/internal/fakemarathon/procs"
	"github.com/waiter-go/waiter/internal/schedtest"
)

// TestContractOnSimulatedMarathon runs the scheduler contract against the
// simulated Marathon over HTTP, its tasks real processes on this machine.
func TestContractOnSimulatedMarathon(t *testing.T) {
	t.Parallel()
	srv, err := fakemarathon.New(fakemarathon.Config{LaunchLatency: 20 * time.Millisecond,
		FirstHealthCheck: 50 * time.Millisecond, StartCheckInterval: 50 * time.Millisecond,
		Procs: procs.Config{WorkDir: t.TempDir(), PortRange: [2]int{35000, 35199}}})
	if err != nil {
		t.Fatal(err)
	}
	url, err := srv.Start("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if err := srv.Close(ctx); err != nil {
			t.Errorf("closing the simulated Marathon: %v", err)
		}
	})
	schedtest.Run(t, schedtest.Harness{Scheduler: newScheduler(t, url, nil)})
}

// TestContractOnRealMarathon runs the contract against the Marathon at
// $MARATHON_URL (its agents must run the test's service binary, so this
// suits a Marathon on this machine). Skipped without MARATHON_URL.
func TestContractOnRealMarathon(t *testing.T) {
	url := os.Getenv("MARATHON_URL")
	if url == "" {
		t.Skip("MARATHON_URL is not set: no real Marathon to run the scheduler contract against")
	}
	s, err := New(Config{URL: url})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close() })
	schedtest.Run(t, schedtest.Harness{Scheduler: s, Timeout: 3 * time.Minute})
}
