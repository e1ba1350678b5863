package main

import (
	"bufio"
	"bytes"
	"net/http"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/waiter-go/waiter/cmd/waiter/internal/cli"
)

// TestCommandLine runs the binary's command line in-process: help,
// version and usage errors, with their exit statuses.
func TestCommandLine(t *testing.T) {
	for _, c := range []struct {
		args []string
		code int
		want string
	}{
		{nil, 2, "Usage: waiter <command>"},
		{[]string{"--help"}, 0, "waiter ping web"},
		{[]string{"--version"}, 0, "waiter "},
		{[]string{"help", "serve"}, 0, "--access-log=FILE"},
		{[]string{"serve", "--help"}, 0, "waiter serve --scheduler marathon --marathon-url"},
		{[]string{"create", "--help"}, 0, "grace-period-secs"},
		{[]string{"frobnicate"}, 2, `unknown command "frobnicate" (known: serve, create, update,`},
		{[]string{"serve", "--scheduler", "nope"}, 2, `scheduler must be shell, marathon or kubernetes (got "nope")`},
		{[]string{"serve", "--log-format", "xml"}, 2, `--log-format must be one of "text","json" but got "xml"`},
		{[]string{"serve", "--prot", "1"}, 2, "unknown flag --prot, did you mean \"--port\"?"},
		{[]string{"completion", "bash"}, 0, "complete -C "},
	} {
		var out bytes.Buffer
		code := cli.Run(c.args, cli.Options{Stdout: &out, Stderr: &out, Getenv: func(string) string { return "" }})
		if code != c.code || !strings.Contains(out.String(), c.want) {
			t.Errorf("%v: exit %d, want %d with %q in:\n%s", c.args, code, c.code, c.want, out.String())
		}
	}
}

// TestServeBinary builds the real binary, serves on a free loopback port,
// and checks SIGTERM drains and exits 0 with the store closed.
func TestServeBinary(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the waiter binary")
	}
	dir := t.TempDir()
	bin := filepath.Join(dir, "waiter")
	// The commit as `make build` stamps it: --version must show it when the
	// build has no VCS information of its own (-buildvcs=false, which
	// otherwise only a GOFLAGS from go env -w gave this test).
	const commit = "0123456789abcdef0123"
	if out, err := exec.Command("go", "build", "-buildvcs=false", "-ldflags", "-X github.com/waiter-go/waiter/internal/clikit.Commit="+commit,
		"-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	if out, err := exec.Command(bin, "--version").Output(); err != nil || !strings.HasPrefix(string(out), "waiter ") ||
		!strings.Contains(string(out), "(commit 0123456789ab") {
		t.Errorf("waiter --version: %v %q; want the stamped commit", err, out)
	}
	cmd := exec.Command(bin, "serve", "--host", "127.0.0.1", "--port", "0", "--data-dir", filepath.Join(dir, "data"))
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { _ = cmd.Process.Kill() }()

	// The router logs its address once it listens.
	lines := bufio.NewScanner(stderr)
	addrRE := regexp.MustCompile(`addr=(127\.0\.0\.1:\d+)`)
	var addr string
	var log strings.Builder
	for addr == "" && lines.Scan() {
		log.WriteString(lines.Text() + "\n")
		if m := addrRE.FindStringSubmatch(lines.Text()); m != nil {
			addr = m[1]
		}
	}
	if addr == "" {
		t.Fatalf("no listening line:\n%s", log.String())
	}
	rest := make(chan string, 1)
	go func() {
		var b strings.Builder
		for lines.Scan() {
			b.WriteString(lines.Text() + "\n")
		}
		rest <- b.String()
	}()

	resp, err := http.Post("http://"+addr+"/token", "application/json",
		strings.NewReader(`{"token": "t1", "cmd": "kitchen", "cpus": 0.1, "mem": 64, "version": "v1"}`))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 || resp.Header.Get("x-waiter-operation-result") != "token-created" {
		t.Fatalf("POST /token: %d %v", resp.StatusCode, resp.Header)
	}

	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	// Read the log to its end (the process closed stderr by exiting)
	// before Wait, which closes the pipe.
	var tail string
	select {
	case tail = <-rest:
	case <-time.After(30 * time.Second):
		t.Fatal("no exit within 30s of SIGTERM")
	}
	if err := cmd.Wait(); err != nil {
		t.Fatalf("exit after SIGTERM: %v\n%s%s", err, log.String(), tail)
	}
	if !strings.Contains(tail, "waiter serve: stopped") {
		t.Errorf("no clean stop in the log:\n%s", tail)
	}
}
