package main

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"syscall"
	"time"
)

// coldStart is one sample: the first request of a new service through
// Waiter, and the same command's own exec-to-first-answer measured right
// before.
type coldStart struct {
	total, own time.Duration
}

// coldStartBench measures o.coldStarts cold starts of the kitchen and of
// the minimal Go backend through `waiter serve` (and through the
// -base-waiter binary, interleaved sample by sample, when set), and
// prints Waiter's overhead: the paired difference between a cold start
// and the command's own start-up.
func coldStartBench(o options, dir, url string) error {
	waiters := []struct{ name, url string }{{"waiter", url}}
	if o.baseWaiter != "" {
		bdir := filepath.Join(dir, "base-coldstart")
		if err := os.MkdirAll(bdir, 0o755); err != nil {
			return err
		}
		base, burl, err := startWaiter(o.baseWaiter, bdir)
		if err != nil {
			return err
		}
		defer base.stop(syscall.SIGTERM)
		waiters = append(waiters, struct{ name, url string }{"base waiter", burl})
	}
	backends := []struct{ name, cmd string }{
		{"kitchen", o.kitchen + " -p $PORT0 --keep-alive"},
		{"minimal Go backend", o.minimal},
	}
	client := &http.Client{Timeout: 60 * time.Second}
	for _, w := range waiters {
		// Warm the client's connection to the router: its handshake is
		// not part of a cold start.
		if _, _, err := request(context.Background(), client, http.MethodGet, w.url+"/status", nil, nil); err != nil {
			return err
		}
	}
	for _, b := range backends {
		samples := make([][]coldStart, len(waiters))
		for i := range o.coldStarts {
			for j, w := range waiters {
				s, err := coldStartOnce(client, w.url, b.cmd, dir, i)
				if err != nil {
					return fmt.Errorf("%s, %s: %w", w.name, b.name, err)
				}
				samples[j] = append(samples[j], s)
			}
		}
		fmt.Printf("\ncold start, %s: %d new services each, first request GET /status to its response (ms)\n", b.name, o.coldStarts)
		fmt.Printf("%-52s %8s %8s %8s\n", "", "mean", "p50", "p99")
		var medians []time.Duration
		for j, w := range waiters {
			var total, own, overhead []time.Duration
			for _, s := range samples[j] {
				total = append(total, s.total)
				own = append(own, s.own)
				overhead = append(overhead, s.total-s.own)
			}
			ov := summarize(overhead)
			medians = append(medians, ov.p50)
			for _, row := range []struct {
				name string
				s    summary
			}{
				{w.name + ": through waiter serve", summarize(total)},
				{w.name + ": the command alone, exec to first answer", summarize(own)},
				{w.name + ": overhead (paired difference)", ov},
			} {
				fmt.Printf("%-52s %8.1f %8.1f %8.1f\n", row.name, ms(row.s.mean), ms(row.s.p50), ms(row.s.p99))
			}
		}
		if len(medians) == 2 && medians[1] > 0 {
			fmt.Printf("median overhead waiter / base waiter: %.2f (%.1f ms vs %.1f ms)\n",
				float64(medians[0])/float64(medians[1]), ms(medians[0]), ms(medians[1]))
		}
	}
	return nil
}

// coldStartOnce times cmd's own start-up, then the first request of a new
// service running cmd through the router at url, and deletes the service.
func coldStartOnce(client *http.Client, url, cmdline, dir string, i int) (coldStart, error) {
	own, err := startUp(cmdline, dir)
	if err != nil {
		return coldStart{}, err
	}
	name := fmt.Sprintf("coldstart%d%d", time.Now().UnixNano(), i)
	headers := map[string]string{
		"x-waiter-name": name, "x-waiter-cmd": cmdline, "x-waiter-cmd-type": "shell",
		"x-waiter-cpus": "0.1", "x-waiter-mem": "256", "x-waiter-version": "coldstart", "x-waiter-debug": "true",
	}
	req, _ := http.NewRequest(http.MethodGet, url+"/status", nil)
	for k, v := range headers {
		req.Header.Set(k, v)
	}
	t0 := time.Now()
	resp, err := client.Do(req)
	if err != nil {
		return coldStart{}, fmt.Errorf("cold start %d: %w", i, err)
	}
	buf := make([]byte, 64)
	nread, _ := resp.Body.Read(buf)
	_ = resp.Body.Close()
	total := time.Since(t0)
	if resp.StatusCode != http.StatusOK || string(buf[:nread]) != "Hello World" {
		return coldStart{}, fmt.Errorf("cold start %d: %d %q", i, resp.StatusCode, buf[:nread])
	}
	id := resp.Header.Get("x-waiter-service-id")
	if status, body, err := request(context.Background(), client, http.MethodDelete, url+"/apps/"+id, nil, nil); err != nil || status != http.StatusOK {
		return coldStart{}, fmt.Errorf("delete %s: %d %s %v", id, status, body, err)
	}
	return coldStart{total: total, own: own}, nil
}

// startUp runs cmdline the way the shell scheduler does (/bin/sh -c,
// PORT0 in the environment) and times it from exec to its first 200 on
// /status, probing every 250 µs.
func startUp(cmdline, dir string) (time.Duration, error) {
	port, err := freePort()
	if err != nil {
		return 0, err
	}
	logFile, err := os.Create(filepath.Join(dir, "startup.log"))
	if err != nil {
		return 0, err
	}
	defer logFile.Close()
	cmd := exec.Command("/bin/sh", "-c", cmdline)
	cmd.Env = append(os.Environ(), "PORT0="+strconv.Itoa(port))
	cmd.Stdout, cmd.Stderr = logFile, logFile
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	t0 := time.Now()
	if err := cmd.Start(); err != nil {
		return 0, err
	}
	defer func() {
		_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
		_ = cmd.Wait()
	}()
	t1, err := awaitOK(fmt.Sprintf("http://127.0.0.1:%d/status", port), 10*time.Second, 250*time.Microsecond)
	if err != nil {
		return 0, err
	}
	return t1.Sub(t0), nil
}
