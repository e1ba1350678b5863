package shell

import (
	"context"
	"github.com/waiter-go/waiter/internal/procgroup"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"syscall"
	"testing"
	"time"

	"github.com/waiter-go/waiter/engine"
)

// A cold start is the time from CreateService until the driver, woken by
// Subscribe, observes a healthy instance. Part of it is the service's own
// start-up (from its main to its listen, as the service reports it); the
// rest is this scheduler's overhead: preparing the folder, exec of
// /bin/sh and of the service, and noticing that it listens.

// coldStart creates d, waits until it is healthy and deletes it again.
func coldStart(tb testing.TB, s *Scheduler, sub <-chan string, d *engine.Description) (total, own time.Duration) {
	tb.Helper()
	ctx := context.Background()
	start := time.Now()
	create(tb, s, d, 1)
	var in engine.ObservedInstance
	timeout := time.After(waitTimeout)
	for in.ID == "" {
		select {
		case id := <-sub:
			if id != d.ID {
				continue
			}
			if obs := observe(tb, s, d.ID); healthyCount(obs) == 1 {
				in = obs.Instances[0]
			}
		case <-timeout:
			tb.Fatalf("%s never became healthy", d.ID)
		}
	}
	total = time.Since(start)
	var tm timing
	if err := readJSON(filepath.Join(s.InstanceDir(d.ID, in.ID), timingFile), &tm); err != nil {
		tb.Fatalf("timing of %s: %v", in.ID, err)
	}
	own = time.Duration(tm.Listen - tm.Main)
	if err := s.DeleteService(ctx, d.ID); err != nil {
		tb.Fatalf("DeleteService: %v", err)
	}
	return total, own
}

func coldStartDescription(tb testing.TB, i int, delay time.Duration) *engine.Description {
	return describe(tb, engine.Params{
		"name":    "coldstart",
		"version": strconv.Itoa(i) + "-" + delay.String(),
		"env":     map[string]string{envDelay: delay.String()},
	})
}

// TestColdStartOverhead logs the cold-start overhead (run with -v to see
// it). Its bound is loose on purpose: it catches a regression to
// poll-interval latency (seconds), not noise; the benchmark measures.
func TestColdStartOverhead(t *testing.T) {
	t.Parallel()
	s := newTestScheduler(t, nil)
	sub := s.Subscribe()
	for _, delay := range []time.Duration{0, 200 * time.Millisecond} {
		runs := 7
		if delay > 0 {
			runs = 3
		}
		var overheads, totals []time.Duration
		for i := range runs {
			total, own := coldStart(t, s, sub, coldStartDescription(t, i, delay))
			totals = append(totals, total)
			overheads = append(overheads, total-own)
		}
		slices.Sort(overheads)
		slices.Sort(totals)
		med := overheads[len(overheads)/2]
		t.Logf("service start-up %v: cold start median %v, overhead median %v (min %v, max %v) over %d runs",
			delay, totals[len(totals)/2].Round(time.Microsecond), med.Round(time.Microsecond),
			overheads[0].Round(time.Microsecond), overheads[len(overheads)-1].Round(time.Microsecond), runs)
		if med > time.Second {
			t.Errorf("median cold-start overhead %v; the scheduler should notice a ready instance within milliseconds", med)
		}
	}
}

// BenchmarkColdStart reports, per service start-up time, the cold start
// through the scheduler against a baseline measured in the same run: the
// same service exec'ed directly and polled every millisecond, the best a
// polling launcher can do.
//
//	go test -run '^$' -bench ColdStart -benchtime 20x ./adapters/shell/
func BenchmarkColdStart(b *testing.B) {
	for _, delay := range []time.Duration{0, 200 * time.Millisecond} {
		b.Run("startup="+delay.String(), func(b *testing.B) {
			s := newTestScheduler(b, nil)
			sub := s.Subscribe()
			var cold, own, base time.Duration
			n := 0
			for b.Loop() {
				c, o := coldStart(b, s, sub, coldStartDescription(b, n, delay))
				cold, own = cold+c, own+o
				base += baselineColdStart(b, delay)
				n++
			}
			ms := func(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) / float64(n) }
			b.ReportMetric(ms(cold), "cold-ms/op")
			b.ReportMetric(ms(own), "own-ms/op")
			b.ReportMetric(ms(cold-own), "overhead-ms/op")
			b.ReportMetric(ms(base), "baseline-ms/op")
			b.ReportMetric(float64(cold)/float64(base), "x-baseline")
		})
	}
}

// baselineColdStart execs the server role directly and polls its health
// URL every millisecond until it answers.
func baselineColdStart(b *testing.B, delay time.Duration) time.Duration {
	b.Helper()
	l, err := net.Listen("tcp4", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	port := strconv.Itoa(l.Addr().(*net.TCPAddr).Port)
	_ = l.Close()
	cmd := exec.Command(os.Args[0])
	cmd.Dir = b.TempDir()
	cmd.Env = []string{envRole + "=server", "PORT0=" + port, envDelay + "=" + delay.String()}
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	client := &http.Client{Timeout: time.Second, Transport: &http.Transport{DisableKeepAlives: true}}
	start := time.Now()
	if err := cmd.Start(); err != nil {
		b.Fatal(err)
	}
	defer func() {
		_ = procgroup.Signal(cmd.Process.Pid, syscall.SIGKILL)
		_ = cmd.Wait()
	}()
	for deadline := start.Add(waitTimeout); time.Now().Before(deadline); time.Sleep(time.Millisecond) {
		resp, err := client.Get("http://127.0.0.1:" + port + "/health")
		if err == nil {
			_ = resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return time.Since(start)
			}
		}
	}
	b.Fatal("baseline server never answered")
	return 0
}
