package shell

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"pgregory.net/rapid"

	"github.com/waiter-go/waiter/engine"
)

// TestRandomOperationsSettleAndLeaveNothing is a property test of the
// scheduler with real processes: a drawn sequence of creates, scales,
// kills (replacing or not, forced or not), crashes (the instance's
// process group killed from outside) and deletes over two services, each
// call made as soon as the last returned, so that they land on instances
// starting, stopping and failing. Then, for every service that still
// exists, the scheduler must settle at the count it was last asked for,
// every instance healthy; a deleted service must leave no process; and
// once the scheduler is closed, no process it started may be left.
func TestRandomOperationsSettleAndLeaveNothing(t *testing.T) {
	descs := make([]*engine.Description, 2)
	for i := range descs {
		d, err := serverDescription(engine.Params{"name": fmt.Sprintf("random%d", i), "grace-period-secs": 30.0,
			"termination-grace-period-secs": 1.0})
		if err != nil {
			t.Fatal(err)
		}
		descs[i] = d
	}
	rapid.Check(t, func(rt *rapid.T) {
		workDir := t.TempDir()
		s, err := New(Config{WorkDir: workDir, PortRange: testPortRange(), PortGracePeriod: 100 * time.Millisecond,
			FailedInstanceRetryInterval: 20 * time.Millisecond, MemoryCheckInterval: time.Hour,
			Cluster: "test-cluster", Password: func(id string) string { return id + ".password" },
			Logger: slog.New(slog.DiscardHandler)})
		if err != nil {
			rt.Fatal(err)
		}
		closed := false
		defer func() {
			if !closed {
				_ = s.Close()
			}
			killAll(processesUnder(workDir))
		}()
		ctx := context.Background()
		exists := make([]bool, len(descs))
		requested := make([]int, len(descs))
		liveInstance := func(i int, what string) (string, bool) {
			obs, err := s.ObserveService(ctx, descs[i].ID)
			if err != nil || len(obs.Instances) == 0 {
				return "", false
			}
			return obs.Instances[rapid.IntRange(0, len(obs.Instances)-1).Draw(rt, what)].ID, true
		}
		steps := rapid.IntRange(1, 10).Draw(rt, "steps")
		for step := range steps {
			i := rapid.IntRange(0, len(descs)-1).Draw(rt, fmt.Sprint("service", step))
			id := descs[i].ID
			switch op := rapid.SampledFrom([]string{"create", "scale", "kill", "crash", "delete"}).Draw(rt, fmt.Sprint("op", step)); op {
			case "create":
				if exists[i] {
					continue
				}
				n := rapid.IntRange(0, 2).Draw(rt, fmt.Sprint("n", step))
				if err := s.CreateService(ctx, descs[i], n); err != nil {
					rt.Fatalf("create %s with %d: %v", id, n, err)
				}
				exists[i], requested[i] = true, n
			case "scale":
				n := rapid.IntRange(0, 3).Draw(rt, fmt.Sprint("n", step))
				err := s.ScaleService(ctx, id, n, false)
				switch {
				case !exists[i] && !errors.Is(err, ErrServiceNotFound):
					rt.Fatalf("scale of a service that does not exist: %v, want ErrServiceNotFound", err)
				case exists[i] && err != nil:
					rt.Fatalf("scale %s to %d: %v", id, n, err)
				case exists[i]:
					requested[i] = n
				}
			case "kill":
				iid, ok := liveInstance(i, fmt.Sprint("victim", step))
				if !ok {
					continue
				}
				opts := engine.KillOptions{Replace: rapid.Bool().Draw(rt, fmt.Sprint("replace", step)),
					Force: rapid.Bool().Draw(rt, fmt.Sprint("force", step))}
				if err := s.KillInstance(ctx, id, iid, opts); err != nil && !errors.Is(err, ErrInstanceNotFound) {
					rt.Fatalf("kill %s (%+v): %v", iid, opts, err)
				} else if err == nil && !opts.Replace {
					requested[i] = max(0, requested[i]-1)
				}
			case "crash":
				iid, ok := liveInstance(i, fmt.Sprint("crashed", step))
				if !ok {
					continue
				}
				if pgid, ok := groupOf(s, id, iid); ok && pgid > 1 {
					_ = syscall.Kill(-pgid, syscall.SIGKILL)
				}
			case "delete":
				err := s.DeleteService(ctx, id)
				switch {
				case !exists[i] && !errors.Is(err, ErrServiceNotFound):
					rt.Fatalf("delete of a service that does not exist: %v, want ErrServiceNotFound", err)
				case exists[i] && err != nil:
					rt.Fatalf("delete %s: %v", id, err)
				}
				exists[i], requested[i] = false, 0
			}
		}
		for i, d := range descs {
			deadline := time.Now().Add(waitTimeout)
			for {
				obs, err := s.ObserveService(ctx, d.ID)
				settled := exists[i] && err == nil && obs.Requested == requested[i] && healthyCount(obs) == requested[i] &&
					len(obs.Instances) == requested[i]
				gone := !exists[i] && len(processesUnder(filepath.Join(workDir, d.ID))) == 0
				if settled || gone {
					break
				}
				if time.Now().After(deadline) {
					rt.Fatalf("%s (exists %v, asked for %d) never settled: %+v (err %v), processes %v",
						d.ID, exists[i], requested[i], obs, err, processesUnder(filepath.Join(workDir, d.ID)))
				}
				time.Sleep(2 * time.Millisecond)
			}
		}
		closed = true
		if err := s.Close(); err != nil {
			rt.Fatalf("Close: %v", err)
		}
		if left := processesUnder(workDir); len(left) > 0 {
			rt.Fatalf("processes left running after Close: %v", left)
		}
	})
}
