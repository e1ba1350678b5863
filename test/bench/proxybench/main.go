package main

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"
	"time"
)

// options are the command line.
type options struct {
	waiter, kitchen, nginx string
	haproxy, baseWaiter    string
	minimal, fastproxy     string
	loopproxy, epollproxy  string
	cases                  string
	rounds                 int
	wrk                    wrkArgs
	warmup                 time.Duration
	coldStarts             int
	only                   string
	conns                  int
	services               int
	profile                string        // folder of CPU profiles of the Waiter under test ("": none)
	loopWork               time.Duration // CPU per request of a second bare epoll-loop proxy (0: none)
	eventLoops             int           // the Waiter under test's event-loops (0: its default)
	fallbackPeriod         int           // the token's fallback-period-secs (-1: Waiter's default)
}

func main() {
	var o options
	flag.StringVar(&o.waiter, "waiter", "", "waiter binary (default: go build ./cmd/waiter)")
	flag.StringVar(&o.kitchen, "kitchen", "", "kitchen binary (default: go build ./cmd/kitchen)")
	flag.StringVar(&o.nginx, "nginx", "/usr/sbin/nginx", "nginx binary")
	flag.StringVar(&o.haproxy, "haproxy", "/usr/sbin/haproxy", "haproxy binary")
	flag.StringVar(&o.baseWaiter, "base-waiter", "", "a second waiter binary (say, main's) measured in the same rounds as the baseline of a change")
	flag.StringVar(&o.cases, "cases", "keepalive,close,upload", "proxy cases to run: keepalive, close (a new connection per request), upload (1 MiB)")
	flag.IntVar(&o.rounds, "rounds", 3, "interleaved rounds: every target once per round, in turn")
	flag.StringVar(&o.wrk.bin, "wrk", "/usr/bin/wrk", "wrk binary")
	flag.IntVar(&o.wrk.threads, "t", 2, "wrk threads")
	flag.IntVar(&o.wrk.connections, "c", 64, "wrk connections (64: what issue 15 measured nginx and the proxies with)")
	flag.DurationVar(&o.wrk.duration, "d", 5*time.Second, "wrk duration per target and round")
	flag.DurationVar(&o.warmup, "warmup", 1*time.Second, "wrk warm-up per target and case, not measured")
	flag.IntVar(&o.fallbackPeriod, "token-fallback-period", -1, "the benchmark token's fallback-period-secs: the token is new, so with Waiter's default "+
		"(-1) every request is in its fallback period and asks the router whether the service is healthy; 0 measures a token past it, as most are")
	flag.IntVar(&o.coldStarts, "n", 30, "cold starts to measure")
	flag.StringVar(&o.only, "only", "", "run only the proxy or the coldstart benchmark, or the memory one (not run otherwise)")
	flag.IntVar(&o.conns, "conns", 10000, "idle keep-alive connections of the memory benchmark")
	flag.IntVar(&o.services, "services", 1000, "known idle services of the memory benchmark (one instance of the minimal backend each; 0: skip)")
	flag.StringVar(&o.profile, "profile", "", "take a CPU profile of the Waiter under test (not -base-waiter) in each case's last round, write it to this folder and print its top functions")
	flag.DurationVar(&o.loopWork, "loop-work", 0, "also measure the bare epoll-loop proxy spending this much CPU on every request, "+
		"where a router doing that much work of its own would land (Waiter's handler over a bare proxy: 3-5µs, adapters/http BenchmarkProxyToken)")
	flag.IntVar(&o.eventLoops, "event-loops", 0, "the Waiter under test's event-loops setting (0: its default, one per CPU); -base-waiter keeps the default")
	flag.Parse()
	if err := run(o); err != nil {
		fmt.Fprintln(os.Stderr, "proxybench:", err)
		os.Exit(1)
	}
}

func run(o options) error {
	dir, err := os.MkdirTemp("", "proxybench-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	if err := build(dir, &o); err != nil { // the minimal backend at least
		return err
	}
	config := waiterConfig
	// The memory benchmark reads the live heap through the debug
	// listener too (memory.go).
	debug := o.profile != "" || o.only == "memory"
	if o.profile != "" {
		if err := os.MkdirAll(o.profile, 0o755); err != nil {
			return err
		}
	}
	if debug {
		config += debugConfig
	}
	if o.eventLoops != 0 {
		// The Waiter under test only: -base-waiter keeps the default,
		// the same-run baseline of the setting. A negative number goes
		// to Waiter too, which refuses it with its own message.
		config += fmt.Sprintf("event-loops: %d\n", o.eventLoops)
	}
	waiter, url, err := startWaiterWith(o.waiter, dir, config)
	if err != nil {
		return err
	}
	defer waiter.stop(syscall.SIGTERM)
	if debug {
		if waiter.debug, err = debugURL(filepath.Join(dir, "waiter.log")); err != nil {
			return err
		}
	}
	fmt.Printf("machine: %d CPUs, %s/%s, %s\n", runtime.NumCPU(), runtime.GOOS, runtime.GOARCH, runtime.Version())
	if o.only == "memory" {
		if err := memory(o, dir, waiter, url); err != nil {
			return err
		}
		if o.services > 0 {
			return memoryServices(o, dir, o.services)
		}
		return nil
	}
	if o.only != "coldstart" {
		if err := proxy(o, dir, url, waiter); err != nil {
			return err
		}
	}
	if o.only != "proxy" {
		if err := coldStartBench(o, dir, url); err != nil {
			return err
		}
	}
	return nil
}

// build compiles waiter and kitchen from the module this runs in.
func build(dir string, o *options) error {
	cmd := exec.Command("go", "build", "-o", dir+string(filepath.Separator), "./cmd/waiter", "./cmd/kitchen", "./test/bench/proxybench/minimal", "./test/bench/proxybench/fastproxy", "./test/bench/proxybench/loopproxy", "./test/bench/proxybench/epollproxy")
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("go build (run from the module root): %v\n%s", err, out.String())
	}
	if o.waiter == "" {
		o.waiter = filepath.Join(dir, "waiter")
	}
	if o.kitchen == "" {
		o.kitchen = filepath.Join(dir, "kitchen")
	}
	o.minimal = filepath.Join(dir, "minimal")
	o.fastproxy = filepath.Join(dir, "fastproxy")
	o.loopproxy = filepath.Join(dir, "loopproxy")
	o.epollproxy = filepath.Join(dir, "epollproxy")
	return nil
}

// postToken creates the benchmark's token, run as the current user and
// usable by anyone.
func postToken(waiterURL, name string, params map[string]any) error {
	u, err := user.Current()
	if err != nil {
		return err
	}
	body := map[string]any{"token": name, "run-as-user": u.Username, "permitted-user": "*"}
	for k, v := range params {
		body[k] = v
	}
	b, _ := json.Marshal(body)
	status, resp, err := request(context.Background(), http.DefaultClient, http.MethodPost, waiterURL+"/token",
		map[string]string{"content-type": "application/json"}, bytes.NewReader(b))
	if err != nil || status != http.StatusOK {
		return fmt.Errorf("POST /token: %d %s %v", status, strings.TrimSpace(resp), err)
	}
	return nil
}
