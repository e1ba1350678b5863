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
// Waiter, and the kitchen's own exec-to-first-answer measured right before.
type coldStart struct {
	total, kitchen time.Duration
}

// coldStarts measures n cold starts through the router at url.
func coldStarts(url, kitchenBin, dir string, n int) ([]coldStart, error) {
	client := &http.Client{Timeout: 60 * time.Second}
	// Warm the client's connection to the router: its handshake is not
	// part of a cold start.
	if _, _, err := request(context.Background(), client, http.MethodGet, url+"/status", nil, nil); err != nil {
		return nil, err
	}
	out := make([]coldStart, 0, n)
	for i := range n {
		k, err := kitchenStartUp(kitchenBin, dir)
		if err != nil {
			return nil, err
		}
		name := fmt.Sprintf("coldstart%d%d", time.Now().UnixNano(), i)
		headers := map[string]string{
			"x-waiter-name": name, "x-waiter-cmd": kitchenBin + " -p $PORT0 --keep-alive", "x-waiter-cmd-type": "shell",
			"x-waiter-cpus": "0.1", "x-waiter-mem": "256", "x-waiter-version": "coldstart", "x-waiter-debug": "true",
		}
		req, _ := http.NewRequest(http.MethodGet, url+"/status", nil)
		for k, v := range headers {
			req.Header.Set(k, v)
		}
		t0 := time.Now()
		resp, err := client.Do(req)
		if err != nil {
			return nil, fmt.Errorf("cold start %d: %w", i, err)
		}
		buf := make([]byte, 64)
		nread, _ := resp.Body.Read(buf)
		_ = resp.Body.Close()
		total := time.Since(t0)
		if resp.StatusCode != http.StatusOK || string(buf[:nread]) != "Hello World" {
			return nil, fmt.Errorf("cold start %d: %d %q", i, resp.StatusCode, buf[:nread])
		}
		out = append(out, coldStart{total: total, kitchen: k})
		id := resp.Header.Get("x-waiter-service-id")
		if status, body, err := request(context.Background(), client, http.MethodDelete, url+"/apps/"+id, nil, nil); err != nil || status != http.StatusOK {
			return nil, fmt.Errorf("delete %s: %d %s %v", id, status, body, err)
		}
	}
	return out, nil
}

// kitchenStartUp runs the kitchen the way the shell scheduler does
// (/bin/sh -c <cmd>, PORT0 in the environment) and times it from exec to
// its first 200 on /status, probing every 250 µs.
func kitchenStartUp(bin, dir string) (time.Duration, error) {
	port, err := freePort()
	if err != nil {
		return 0, err
	}
	logFile, err := os.Create(filepath.Join(dir, "kitchen-startup.log"))
	if err != nil {
		return 0, err
	}
	defer logFile.Close()
	cmd := exec.Command("/bin/sh", "-c", bin+" -p $PORT0 --keep-alive")
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
