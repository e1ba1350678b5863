package main

import (
	"bufio"
	"bytes"
	"io"
	"net/http"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"
)

func TestUsage(t *testing.T) {
	var out bytes.Buffer
	if code := run(nil, &out); code != 2 || !strings.Contains(out.String(), "usage: waiter") {
		t.Errorf("no args: %d %q", code, out.String())
	}
	out.Reset()
	if code := run([]string{"frobnicate"}, &out); code != 2 || !strings.Contains(out.String(), "unknown command") {
		t.Errorf("unknown command: %d %q", code, out.String())
	}
	out.Reset()
	if code := run([]string{"serve", "--scheduler", "nope"}, &out); code != 2 || !strings.Contains(out.String(), "nope") {
		t.Errorf("bad flag value: %d %q", code, out.String())
	}
	if code := run([]string{"serve", "-h"}, io.Discard); code != 0 {
		t.Errorf("serve -h: %d", code)
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
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
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
