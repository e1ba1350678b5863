package acceptance

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
	"strings"
	"sync"
	"syscall"
	"time"
)

// routerConfig is the YAML every test router runs with: the jwt
// authenticator with the harness's key set (auth_test.go), and Waiter's
// intervals shortened so that the suite waits milliseconds where Waiter
// waits seconds. Only the port range differs between routers.
const routerConfig = `host: 127.0.0.1
authenticator: jwt
jwt:
  jwks-file: %q
  issuer: ` + testIssuer + `
  audience: ` + testAudience + `
router-id: %s
poll-interval: 100ms
fast-poll-interval: 20ms
scaling-interval: 250ms
stale-check-interval: 250ms
profiles:
  webapp:
    concurrency-level: 120
queue-timeout: 60s
drain-timeout: 10s
service-cors:
  allowed-origins: ['https://default\.example']
  allowed-methods: [GET]
  allowed-headers: [x-app]
  max-age: 10m
shell:
  port-range: [%d, %d]
  health-check-interval: 250ms
  failed-instance-retry-interval: 250ms
`

// Port ranges of the routers, one each: disjoint, so that two routers
// never hand out the same port, above the 20000-31199 the shell
// scheduler's own tests use (they may run at the same time under
// `go test ./...`) and below Linux's ephemeral range (32768-60999), where
// the router's outgoing connections take their local ports.
var (
	sharedPortRange   = [2]int{31200, 31999}
	shutdownPortRange = [2]int{32000, 32099}
	drainPortRange    = [2]int{32100, 32199}
)

// router is one `waiter serve` process.
type router struct {
	id      string
	url     string // http://127.0.0.1:port
	tlsAddr string // 127.0.0.1:port of its TLS listener (tls_test.go)
	dataDir string
	workDir string // the shell scheduler's folder: <data-dir>/scheduler
	logPath string
	cmd     *exec.Cmd

	done     chan struct{} // closed when the process has exited
	waitErr  error
	logMu    sync.Mutex
	logLines []string // the last lines of its log, for failure messages
}

// listening matches the log line `waiter serve` writes once it accepts
// requests; --port 0 lets the kernel choose, so the port comes from there.
var (
	listening    = regexp.MustCompile(`msg="waiter serve: listening" addr=(\S+)`)
	listeningTLS = regexp.MustCompile(`msg="waiter serve: listening for TLS" addr=(\S+)`)
)

// startRouter writes the configuration into dir, starts `waiter serve`
// and returns once it answers /status.
func startRouter(bins binaries, dir, id string, ports [2]int) (*router, error) {
	return startRouterWith(bins, dir, id, ports, nil)
}

// startRouterWith is startRouter with the configuration passed through
// edit first (a test that needs another setting replaces its line).
func startRouterWith(bins binaries, dir, id string, ports [2]int, edit func(string) string) (*router, error) {
	r := &router{id: id, dataDir: filepath.Join(dir, "data"), logPath: filepath.Join(dir, "waiter.log"),
		done: make(chan struct{})}
	r.workDir = filepath.Join(r.dataDir, "scheduler")
	cfgPath := filepath.Join(dir, "waiter.yaml")
	yaml := fmt.Sprintf(routerConfig, jwksPath, id, ports[0], ports[1]) + tlsConfig()
	if edit != nil {
		yaml = edit(yaml)
	}
	if err := os.WriteFile(cfgPath, []byte(yaml), 0o644); err != nil {
		return nil, err
	}
	logFile, err := os.Create(r.logPath)
	if err != nil {
		return nil, err
	}
	r.cmd = exec.Command(bins.waiter, "serve", "--config", cfgPath, "--data-dir", r.dataDir, "--port", "0")
	r.cmd.Stdout = logFile
	stderr, err := r.cmd.StderrPipe()
	if err != nil {
		_ = logFile.Close()
		return nil, err
	}
	if err := r.cmd.Start(); err != nil {
		_ = logFile.Close()
		return nil, fmt.Errorf("start waiter serve: %w", err)
	}
	addr := make(chan string, 1)
	copied := make(chan struct{})
	go r.copyLog(stderr, logFile, addr, copied)
	go func() {
		<-copied // the pipe must be drained before Wait closes it
		r.waitErr = r.cmd.Wait()
		_ = logFile.Close()
		close(r.done)
	}()

	select {
	case a := <-addr:
		r.url = "http://" + a
	case <-r.done:
		return nil, fmt.Errorf("waiter serve exited before listening (%v):\n%s", r.waitErr, r.logTail(50))
	case <-time.After(30 * time.Second):
		r.kill()
		return nil, fmt.Errorf("waiter serve did not listen within 30s:\n%s", r.logTail(50))
	}
	if err := r.awaitStatus(10 * time.Second); err != nil {
		r.kill()
		return nil, err
	}
	return r, nil
}

// copyLog writes the router's stderr to its log file, keeps the last
// lines for failure messages and reports the listening address.
func (r *router) copyLog(from io.Reader, to io.Writer, addr chan<- string, done chan<- struct{}) {
	defer close(done)
	sc := bufio.NewScanner(from)
	sc.Buffer(make([]byte, 64*1024), 1024*1024)
	found := false
	for sc.Scan() {
		line := sc.Text()
		_, _ = io.WriteString(to, line+"\n")
		r.logMu.Lock()
		r.logLines = append(r.logLines, line)
		if len(r.logLines) > 2000 {
			r.logLines = append([]string(nil), r.logLines[1000:]...)
		}
		r.logMu.Unlock()
		if m := listeningTLS.FindStringSubmatch(line); m != nil {
			r.logMu.Lock()
			r.tlsAddr = m[1]
			r.logMu.Unlock()
		}
		if m := listening.FindStringSubmatch(line); m != nil && !found {
			found = true
			addr <- m[1]
		}
	}
	_, _ = io.Copy(io.Discard, from)
}

// logTail is the last n lines of the router's log.
func (r *router) logTail(n int) string {
	r.logMu.Lock()
	defer r.logMu.Unlock()
	lines := r.logLines
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}

func (r *router) awaitStatus(within time.Duration) error {
	deadline := time.Now().Add(within)
	for {
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, r.url+"/status", nil)
		resp, err := httpClient.Do(req)
		if err == nil {
			_, _ = io.Copy(io.Discard, resp.Body)
			_ = resp.Body.Close()
		}
		cancel()
		if err == nil && resp.StatusCode == http.StatusOK {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("waiter serve at %s does not answer /status (%v)", r.url, err)
		}
		select {
		case <-r.done:
			return fmt.Errorf("waiter serve exited (%v):\n%s", r.waitErr, r.logTail(50))
		case <-time.After(20 * time.Millisecond):
		}
	}
}

// stop sends SIGTERM, as an operator or a supervisor would, and waits for
// the exit. It returns the exit code, or an error when the router had to
// be killed.
func (r *router) stop(within time.Duration) (int, error) {
	select {
	case <-r.done:
	default:
		if err := r.cmd.Process.Signal(syscall.SIGTERM); err != nil && !errors.Is(err, os.ErrProcessDone) {
			return -1, fmt.Errorf("SIGTERM: %w", err)
		}
	}
	select {
	case <-r.done:
	case <-time.After(within):
		r.kill()
		return -1, fmt.Errorf("waiter serve still running %v after SIGTERM; killed it", within)
	}
	return r.cmd.ProcessState.ExitCode(), nil
}

// kill is the last resort: SIGKILL, then wait.
func (r *router) kill() {
	_ = r.cmd.Process.Kill()
	<-r.done
}

// leftovers lists what the router left behind once it is gone: live
// processes started from its scheduler folder and instance records
// (instance.json exists exactly while an instance's process group may run).
func (r *router) leftovers() []string {
	var out []string
	for _, p := range processesUnder(r.workDir) {
		out = append(out, fmt.Sprintf("process %d (%s)", p.PID, p.Cmdline))
	}
	recs, _ := filepath.Glob(filepath.Join(r.workDir, "*", "*", "instance.json"))
	for _, rec := range recs {
		out = append(out, "record "+rec)
	}
	return out
}
