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
	wrk                    wrkArgs
	warmup                 time.Duration
	coldStarts             int
	only                   string
	conns                  int
}

func main() {
	var o options
	flag.StringVar(&o.waiter, "waiter", "", "waiter binary (default: go build ./cmd/waiter)")
	flag.StringVar(&o.kitchen, "kitchen", "", "kitchen binary (default: go build ./cmd/kitchen)")
	flag.StringVar(&o.nginx, "nginx", "/usr/sbin/nginx", "nginx binary")
	flag.StringVar(&o.wrk.bin, "wrk", "/usr/bin/wrk", "wrk binary")
	flag.IntVar(&o.wrk.threads, "t", 2, "wrk threads")
	flag.IntVar(&o.wrk.connections, "c", 32, "wrk connections")
	flag.DurationVar(&o.wrk.duration, "d", 10*time.Second, "wrk duration per target")
	flag.DurationVar(&o.warmup, "warmup", 2*time.Second, "wrk warm-up per target, not measured")
	flag.IntVar(&o.coldStarts, "n", 30, "cold starts to measure")
	flag.StringVar(&o.only, "only", "", "run only the proxy or the coldstart benchmark, or the memory one (not run otherwise)")
	flag.IntVar(&o.conns, "conns", 10000, "idle keep-alive connections of the memory benchmark")
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
	if o.waiter == "" || o.kitchen == "" {
		if err := build(dir, &o); err != nil {
			return err
		}
	}
	waiter, url, err := startWaiter(o.waiter, dir)
	if err != nil {
		return err
	}
	defer waiter.stop(syscall.SIGTERM)
	fmt.Printf("machine: %d CPUs, %s/%s, %s\n", runtime.NumCPU(), runtime.GOOS, runtime.GOARCH, runtime.Version())
	if o.only == "memory" {
		return memory(o, dir, waiter, url)
	}
	if o.only != "coldstart" {
		if err := proxy(o, dir, url); err != nil {
			return err
		}
	}
	if o.only != "proxy" {
		samples, err := coldStarts(url, o.kitchen, dir, o.coldStarts)
		if err != nil {
			return err
		}
		printColdStarts(samples)
	}
	return nil
}

// build compiles waiter and kitchen from the module this runs in.
func build(dir string, o *options) error {
	cmd := exec.Command("go", "build", "-o", dir+string(filepath.Separator), "./cmd/waiter", "./cmd/kitchen")
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("go build (run from the module root): %v\n%s", err, out.String())
	}
	o.waiter, o.kitchen = filepath.Join(dir, "waiter"), filepath.Join(dir, "kitchen")
	return nil
}

// target is one thing wrk loads.
type target struct {
	name    string
	url     string
	headers map[string]string
}

// proxy runs wrk against the kitchen directly, through nginx and through
// Waiter (by token and by on-the-fly headers), and prints the comparison.
func proxy(o options, dir, waiterURL string) error {
	kport, err := freePort()
	if err != nil {
		return err
	}
	kitchen, err := startKitchen(o.kitchen, dir, kport)
	if err != nil {
		return err
	}
	defer kitchen.stop(syscall.SIGTERM)
	nginx, nport, err := startNginx(o.nginx, dir, kport)
	if err != nil {
		return err
	}
	defer nginx.stop(syscall.SIGQUIT)

	// Waiter's kitchen: one instance (like the direct one) with a slot for
	// every connection, so that nothing queues and nothing scales.
	params := map[string]any{"cmd": o.kitchen + " -p $PORT0 --keep-alive", "cmd-type": "shell", "cpus": 1,
		"mem": 256, "version": "proxybench", "name": "proxybench", "concurrency-level": 4 * o.wrk.connections,
		"min-instances": 1, "max-instances": 1}
	onTheFly := map[string]string{}
	for k, v := range params {
		onTheFly["x-waiter-"+k] = fmt.Sprint(v)
	}
	if err := postToken(waiterURL, "proxybench", params); err != nil {
		return err
	}
	byToken := map[string]string{"x-waiter-token": "proxybench"}
	targets := []target{
		{"direct", fmt.Sprintf("http://127.0.0.1:%d/hello", kport), nil},
		{"nginx", fmt.Sprintf("http://127.0.0.1:%d/hello", nport), nil},
		{"waiter (token)", waiterURL + "/hello", byToken},
		{"waiter (headers)", waiterURL + "/hello", onTheFly},
	}
	for _, h := range []map[string]string{byToken, onTheFly} {
		// Start the services before loading them: a cold start is the
		// other benchmark.
		if status, body, err := request(context.Background(), http.DefaultClient, http.MethodGet, waiterURL+"/hello", h, nil); err != nil || status != 200 {
			return fmt.Errorf("waiter's kitchen: %d %q %v", status, body, err)
		}
	}

	results := make([]wrkResult, len(targets))
	for i, tg := range targets {
		if o.warmup > 0 {
			if _, err := o.wrk.run(tg.url, tg.headers, o.warmup); err != nil {
				return err
			}
		}
		if results[i], err = o.wrk.run(tg.url, tg.headers, o.wrk.duration); err != nil {
			return err
		}
	}

	fmt.Printf("\nproxy: wrk -t%d -c%d -d%v --latency GET /hello (kitchen --keep-alive; nginx upstream keepalive 64)\n",
		o.wrk.threads, o.wrk.connections, o.wrk.duration)
	fmt.Printf("%-18s %10s %9s %9s  %s\n", "target", "req/s", "p50 ms", "p99 ms", "errors")
	for i, tg := range targets {
		r := results[i]
		fmt.Printf("%-18s %10.0f %9.3f %9.3f  %s\n", tg.name, r.rps, ms(r.p50), ms(r.p99), r.errors)
	}
	direct, ngx := results[0], results[1]
	for i := 2; i < len(targets); i++ {
		w := results[i]
		fmt.Printf("%s / direct: throughput %.2f, p50 %.2f, p99 %.2f\n", targets[i].name, w.rps/direct.rps,
			ms(w.p50)/ms(direct.p50), ms(w.p99)/ms(direct.p99))
		fmt.Printf("%s / nginx:  throughput %.2f, p50 %.2f, p99 %.2f\n", targets[i].name, w.rps/ngx.rps,
			ms(w.p50)/ms(ngx.p50), ms(w.p99)/ms(ngx.p99))
	}
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

func printColdStarts(samples []coldStart) {
	var total, kitchen, overhead []time.Duration
	for _, s := range samples {
		total = append(total, s.total)
		kitchen = append(kitchen, s.kitchen)
		overhead = append(overhead, s.total-s.kitchen)
	}
	fmt.Printf("\ncold start: %d new services, first request GET /status to its response (ms)\n", len(samples))
	fmt.Printf("%-40s %8s %8s %8s\n", "", "mean", "p50", "p99")
	for _, row := range []struct {
		name string
		s    summary
	}{
		{"through waiter serve", summarize(total)},
		{"kitchen alone, exec to first answer", summarize(kitchen)},
		{"waiter's overhead (paired difference)", summarize(overhead)},
	} {
		fmt.Printf("%-40s %8.1f %8.1f %8.1f\n", row.name, ms(row.s.mean), ms(row.s.p50), ms(row.s.p99))
	}
}
