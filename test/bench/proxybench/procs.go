package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"syscall"
	"time"

	"github.com/waiter-go/waiter/internal/freeport"
)

// process is a child this program started; stop ends it and everything
// it forked (each child leads its own process group).
type process struct {
	name string
	cmd  *exec.Cmd
	done chan struct{}
	// debug is a Waiter's debug listener's URL, under -profile.
	debug string
}

// start runs argv in its own process group with output to logPath.
func start(name, logPath string, argv ...string) (*process, error) {
	return startEnv(name, logPath, nil, argv...)
}

// startEnv is start with env added to this process's environment.
func startEnv(name, logPath string, env []string, argv ...string) (*process, error) {
	logFile, err := os.Create(logPath)
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(argv[0], argv[1:]...)
	if len(env) > 0 {
		cmd.Env = append(os.Environ(), env...)
	}
	cmd.Stdout, cmd.Stderr = logFile, logFile
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		_ = logFile.Close()
		return nil, fmt.Errorf("start %s: %w", name, err)
	}
	p := &process{name: name, cmd: cmd, done: make(chan struct{})}
	go func() {
		_ = cmd.Wait()
		_ = logFile.Close()
		close(p.done)
	}()
	return p, nil
}

// stop sends sig to the process group, waits up to 15 s, then kills it.
func (p *process) stop(sig syscall.Signal) {
	_ = syscall.Kill(-p.cmd.Process.Pid, sig)
	select {
	case <-p.done:
	case <-time.After(15 * time.Second):
		_ = syscall.Kill(-p.cmd.Process.Pid, syscall.SIGKILL)
		<-p.done
	}
}

// freePort finds a port nobody listens on, for a proxy started next
// (internal/freeport: from outside the kernel's ephemeral range).
func freePort() (int, error) {
	ports, err := freeport.TCP(1)
	if err != nil {
		return 0, err
	}
	return ports[0], nil
}

// awaitOK polls url until it answers 200, every interval, for at most
// within; it returns when the first 200 arrived.
func awaitOK(url string, within, interval time.Duration) (time.Time, error) {
	client := &http.Client{Timeout: time.Second, Transport: &http.Transport{DisableKeepAlives: true}}
	deadline := time.Now().Add(within)
	for {
		resp, err := client.Get(url)
		if err == nil {
			_, _ = io.Copy(io.Discard, resp.Body)
			_ = resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return time.Now(), nil
			}
		}
		if time.Now().After(deadline) {
			return time.Time{}, fmt.Errorf("%s did not answer 200 within %v (last error %v)", url, within, err)
		}
		time.Sleep(interval)
	}
}

// startKitchen runs a kitchen on port, reusing connections; with env
// (say, WAITER_USERNAME and WAITER_PASSWORD) added to its environment.
func startKitchen(bin, dir string, port int, env ...string) (*process, error) {
	log := "kitchen.log"
	if len(env) > 0 {
		log = "kitchen-" + strconv.Itoa(port) + ".log"
	}
	p, err := startEnv("kitchen", filepath.Join(dir, log), env, bin, "-p", strconv.Itoa(port), "--host", "127.0.0.1", "--keep-alive")
	if err != nil {
		return nil, err
	}
	if _, err := awaitOK(fmt.Sprintf("http://127.0.0.1:%d/status", port), 10*time.Second, 5*time.Millisecond); err != nil {
		p.stop(syscall.SIGTERM)
		return nil, err
	}
	return p, nil
}

// waiterConfig is `waiter serve` with its defaults, bound to loopback,
// with instance ports of its own.
const waiterConfig = `host: 127.0.0.1
router-id: proxybench
shell:
  port-range: [32200, 32599]
`

var listening = regexp.MustCompile(`msg="waiter serve: listening" addr=(\S+)`)

// startWaiter runs `waiter serve` on a kernel-chosen port and returns its
// URL once it answers /status.
func startWaiter(bin, dir string) (*process, string, error) {
	return startWaiterWith(bin, dir, waiterConfig)
}

// startWaiterWith is startWaiter with config as the configuration file.
func startWaiterWith(bin, dir, config string) (*process, string, error) {
	cfg := filepath.Join(dir, "waiter.yaml")
	if err := os.WriteFile(cfg, []byte(config), 0o644); err != nil {
		return nil, "", err
	}
	logPath := filepath.Join(dir, "waiter.log")
	p, err := start("waiter serve", logPath, bin, "serve", "--config", cfg, "--data-dir", filepath.Join(dir, "waiter-data"), "--port", "0")
	if err != nil {
		return nil, "", err
	}
	url, err := awaitListening(p, logPath)
	if err != nil {
		return nil, "", err
	}
	return p, url, nil
}

// awaitListening waits for the `waiter serve` p, logging to logPath, to
// answer /status, and returns its URL; it stops p when that fails.
func awaitListening(p *process, logPath string) (string, error) {
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		if addr, ok := grepLog(logPath, listening); ok {
			url := "http://" + addr
			if _, err := awaitOK(url+"/status", 10*time.Second, 10*time.Millisecond); err != nil {
				p.stop(syscall.SIGTERM)
				return "", err
			}
			return url, nil
		}
		select {
		case <-p.done:
			return "", fmt.Errorf("waiter serve exited; see %s", logPath)
		case <-time.After(20 * time.Millisecond):
		}
	}
	p.stop(syscall.SIGTERM)
	return "", errors.New("waiter serve did not start listening within 30s")
}

// grepLog returns the first submatch of re in the file.
func grepLog(path string, re *regexp.Regexp) (string, bool) {
	f, err := os.Open(path)
	if err != nil {
		return "", false
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if m := re.FindStringSubmatch(sc.Text()); m != nil {
			return m[1], true
		}
	}
	return "", false
}

// request sends one request and reads the whole answer.
func request(ctx context.Context, client *http.Client, method, url string, headers map[string]string, body io.Reader) (int, string, error) {
	req, err := http.NewRequestWithContext(ctx, method, url, body)
	if err != nil {
		return 0, "", err
	}
	for k, v := range headers {
		req.Header.Set(k, v)
	}
	resp, err := client.Do(req)
	if err != nil {
		return 0, "", err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b), err
}
