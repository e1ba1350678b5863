package main

import (
	"context"
	"fmt"
	"maps"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"time"
)

// target is one thing wrk loads.
type target struct {
	name    string
	url     string
	headers map[string]string
	pgid    int // the process group whose CPU per request is reported
	// metrics, for a Go server with Prometheus /metrics (Waiter), is
	// where its allocations per request are counted from.
	metrics string
	// debug, for the Waiter under -profile, is its debug listener's URL;
	// bin the binary its profiles are of.
	debug, bin string
}

// benchCase is one shape of load: keep-alive GETs, a new connection per
// request, or 1 MB uploads.
type benchCase struct {
	key         string // for -cases
	name        string
	path        string
	headers     map[string]string // sent to every target
	script      string            // wrk Lua script
	connections int               // 0: wrk's -c
}

// uploadScript makes wrk POST a 1 MiB body with every request.
const uploadScript = `wrk.method = "POST"
wrk.body = string.rep("x", 1048576)
wrk.headers["Content-Type"] = "application/octet-stream"
`

// proxy runs wrk against the kitchen directly, through nginx, haproxy and
// Waiter (by token and by on-the-fly headers; and a second Waiter binary
// when -base-waiter is set), each case in interleaved rounds (every
// target once per round, in turn, reversed every other round: roundOrder,
// so a machine loaded by something else weighs on all of them alike), and
// prints each round and the median of the per-round ratios.
func proxy(o options, dir, waiterURL string, waiter *process) error {
	kport, err := freePort()
	if err != nil {
		return err
	}
	kitchen, err := startKitchen(o.kitchen, dir, kport)
	if err != nil {
		return err
	}
	defer kitchen.stop(syscall.SIGTERM)
	guarded, err := startGuardedKitchen(o.kitchen, dir)
	if err != nil {
		return err
	}
	defer guarded.stop(syscall.SIGTERM)
	nginx, nport, nhport, err := startNginx(o.nginx, dir, kport, guarded.guardedKitchen)
	if err != nil {
		return err
	}
	defer nginx.stop(syscall.SIGQUIT)
	haproxy, hport, err := startHAProxy(o.haproxy, dir, kport)
	if err != nil {
		return err
	}
	defer haproxy.stop(syscall.SIGTERM)
	fastproxy, fport, err := startBareProxy("fastproxy", o.fastproxy, dir, kport)
	if err != nil {
		return err
	}
	defer fastproxy.stop(syscall.SIGTERM)
	loopproxy, lport, err := startBareProxy("loopproxy", o.loopproxy, dir, kport)
	if err != nil {
		return err
	}
	defer loopproxy.stop(syscall.SIGTERM)
	epollproxy, eport, err := startBareProxy("epollproxy", o.epollproxy, dir, kport)
	if err != nil {
		return err
	}
	defer epollproxy.stop(syscall.SIGTERM)
	var worked []target
	if o.loopWork > 0 {
		p, port, err := startBareProxy("epollproxy-work", o.epollproxy, dir, kport, "-work", o.loopWork.String())
		if err != nil {
			return err
		}
		defer p.stop(syscall.SIGTERM)
		worked = append(worked, target{name: "epoll + " + o.loopWork.String() + " work", url: fmt.Sprintf("http://127.0.0.1:%d", port), pgid: p.cmd.Process.Pid})
	}

	// Waiter's kitchen: one instance (like the direct one) with a slot for
	// every connection, so that nothing queues and nothing scales.
	params := map[string]any{"cmd": o.kitchen + " -p $PORT0 --keep-alive", "cmd-type": "shell", "cpus": 1,
		"mem": 256, "version": "proxybench", "name": "proxybench", "concurrency-level": 4 * o.wrk.connections,
		"min-instances": 1, "max-instances": 1}
	onTheFly := map[string]string{}
	for k, v := range params {
		onTheFly["x-waiter-"+k] = fmt.Sprint(v)
	}
	byToken := map[string]string{"x-waiter-token": "proxybench"}
	type router struct {
		name, url  string
		pgid       int
		debug, bin string
	}
	waiters := []router{{"waiter", waiterURL, waiter.cmd.Process.Pid, waiter.debug, o.waiter}}
	if o.baseWaiter != "" {
		bdir := filepath.Join(dir, "base")
		if err := os.MkdirAll(bdir, 0o755); err != nil {
			return err
		}
		base, burl, err := startWaiter(o.baseWaiter, bdir)
		if err != nil {
			return err
		}
		defer base.stop(syscall.SIGTERM)
		waiters = append(waiters, router{name: "base waiter", url: burl, pgid: base.cmd.Process.Pid})
	}
	targets := []target{
		{name: "direct", url: fmt.Sprintf("http://127.0.0.1:%d", kport), pgid: kitchen.cmd.Process.Pid},
		{name: "nginx", url: fmt.Sprintf("http://127.0.0.1:%d", nport), pgid: nginx.cmd.Process.Pid},
		{name: "haproxy", url: fmt.Sprintf("http://127.0.0.1:%d", hport), pgid: haproxy.cmd.Process.Pid},
		// The ratio columns are to the three above (targets[0:3]): every
		// other target comes after them.
		{name: nginxWaiterHeaders, url: fmt.Sprintf("http://127.0.0.1:%d", nhport), pgid: nginx.cmd.Process.Pid},
		{name: "fasthttp (bare)", url: fmt.Sprintf("http://127.0.0.1:%d", fport), pgid: fastproxy.cmd.Process.Pid},
		{name: "gnet loop (bare)", url: fmt.Sprintf("http://127.0.0.1:%d", lport), pgid: loopproxy.cmd.Process.Pid},
		{name: "epoll loop (bare)", url: fmt.Sprintf("http://127.0.0.1:%d", eport), pgid: epollproxy.cmd.Process.Pid},
	}
	targets = append(targets, worked...)
	tokenParams := params
	if o.fallbackPeriod >= 0 {
		tokenParams = maps.Clone(params)
		tokenParams["fallback-period-secs"] = o.fallbackPeriod
	}
	for _, w := range waiters {
		if err := postToken(w.url, "proxybench", tokenParams); err != nil {
			return err
		}
		for _, h := range []map[string]string{byToken, onTheFly} {
			// Start the services before loading them: a cold start is the
			// other benchmark.
			if status, body, err := request(context.Background(), http.DefaultClient, http.MethodGet, w.url+"/hello", h, nil); err != nil || status != 200 {
				return fmt.Errorf("%s's kitchen: %d %q %v", w.name, status, body, err)
			}
		}
		targets = append(targets, target{w.name + " (token)", w.url, byToken, w.pgid, w.url + "/metrics", w.debug, w.bin},
			target{w.name + " (headers)", w.url, onTheFly, w.pgid, w.url + "/metrics", w.debug, w.bin})
	}
	script := filepath.Join(dir, "upload.lua")
	if err := os.WriteFile(script, []byte(uploadScript), 0o644); err != nil {
		return err
	}
	cases := []benchCase{
		{key: "keepalive", name: "keep-alive GET /hello", path: "/hello"},
		{key: "close", name: "keep-alive off (Connection: close, a new connection per request) GET /hello", path: "/hello",
			headers: map[string]string{"Connection": "close"}},
		{key: "upload", name: "1 MiB upload POST /hello (keep-alive, -c8)", path: "/hello", script: script, connections: 8},
	}
	for _, c := range cases {
		if !slices.Contains(strings.Split(o.cases, ","), c.key) {
			continue
		}
		if err := runCase(o, c, targets); err != nil {
			return err
		}
	}
	return nil
}

// runCase loads every target with one case in o.rounds interleaved rounds.
func runCase(o options, c benchCase, targets []target) error {
	conns := o.wrk.connections
	if c.connections > 0 {
		conns = c.connections
	}
	fmt.Printf("\n== %s: wrk -t%d -c%d -d%v --latency, %d interleaved rounds\n", c.name, o.wrk.threads, conns, o.wrk.duration, o.rounds)
	headers := func(tg target) map[string]string {
		h := map[string]string{}
		for k, v := range tg.headers {
			h[k] = v
		}
		for k, v := range c.headers {
			h[k] = v
		}
		return h
	}
	if o.warmup > 0 {
		for _, tg := range targets {
			if _, err := o.wrk.run(tg.url+c.path, headers(tg), o.warmup, c.script, c.connections); err != nil {
				return err
			}
		}
	}
	// ratios[i] are target i's per-round ratios to direct, nginx, haproxy.
	type ratios struct {
		rps, p99 [3][]float64
		cpu      []float64 // µs of the target's own CPU per request
		sys      []float64 // the system time of it
		mallocs  []float64 // Go heap allocations per request (metrics)
		idle     []float64 // the machine's idle share (machinecpu.go)
		machine  []float64 // µs of the whole machine's busy CPU per request
		backend  []float64 // µs of the kitchen's CPU per request
		load     []float64 // µs of wrk's CPU per request
	}
	all := make([]ratios, len(targets))
	type profiled struct {
		target
		path string
	}
	var profiles []profiled
	disturbed := 0 // measurements other processes weighed on (bystanders.go)
	for round := 1; round <= o.rounds; round++ {
		res := make([]wrkResult, len(targets))
		cpu := make([]float64, len(targets))
		idle := make([]float64, len(targets))
		var bystanding []string // this round's, printed after its table
		for _, i := range roundOrder(len(targets), round) {
			tg := targets[i]
			var mallocs *mallocCounter
			if tg.metrics != "" {
				m, err := startMallocs(tg.metrics)
				if err != nil {
					return err
				}
				mallocs = m
			}
			var prof *pendingProfile
			if tg.debug != "" && o.profile != "" && round == o.rounds {
				// The profile ends a second before wrk does: what it
				// sees is the load, not its end.
				prof = startProfile(tg.debug, o.wrk.duration-time.Second, o.profile, profileName(c.key, tg.name))
			}
			before, machineBefore, began := snapshotProcs(), readMachineCPU(), time.Now()
			r, err := o.wrk.run(tg.url+c.path, headers(tg), o.wrk.duration, c.script, c.connections)
			if err != nil {
				return err
			}
			after, machineAfter := snapshotProcs(), readMachineCPU()
			idle[i] = idleShare(machineBefore, machineAfter)
			all[i].idle = append(all[i].idle, idle[i])
			if r.requests > 0 {
				perReq := func(d time.Duration) float64 { return float64(d) / float64(time.Microsecond) / float64(r.requests) }
				all[i].machine = append(all[i].machine, perReq(machineBusy(machineBefore, machineAfter)))
				all[i].backend = append(all[i].backend, perReq(after.commCPU("kitchen")-before.commCPU("kitchen")))
				all[i].load = append(all[i].load, perReq(r.cpu))
				cpuAfter, sysAfter := after.groupCPU(tg.pgid)
				cpuBefore, sysBefore := before.groupCPU(tg.pgid)
				cpu[i] = perReq(cpuAfter - cpuBefore)
				all[i].sys = append(all[i].sys, perReq(sysAfter-sysBefore))
			}
			if msg := disturbance(bystanders(before, after, os.Getpid()), time.Since(began)); msg != "" {
				bystanding = append(bystanding, fmt.Sprintf("! round %d, %s: %s", round, tg.name, msg))
			}
			if prof != nil {
				path, err := prof.wait()
				if err != nil {
					return fmt.Errorf("%s: %w", tg.name, err)
				}
				profiles = append(profiles, profiled{tg, path})
			}
			res[i] = r
			all[i].cpu = append(all[i].cpu, cpu[i])
			if mallocs != nil && r.requests > 0 {
				n, err := mallocs.since()
				if err != nil {
					return err
				}
				all[i].mallocs = append(all[i].mallocs, n/float64(r.requests))
			}
		}
		fmt.Printf("round %d\n%-22s %10s %9s %9s %8s %8s %9s %6s  %s\n", round, "target", "req/s", "p50 ms", "p99 ms", "/nginx", "/haproxy", "cpu µs/req", "idle", "errors")
		for i, tg := range targets {
			r := res[i]
			fmt.Printf("%-22s %10.0f %9.3f %9.3f %8.2f %8.2f %9.1f %5.1f%%  %s\n", tg.name, r.rps, ms(r.p50), ms(r.p99),
				r.rps/res[1].rps, r.rps/res[2].rps, cpu[i], 100*idle[i], r.errors)
			for b := range 3 {
				all[i].rps[b] = append(all[i].rps[b], r.rps/res[b].rps)
				all[i].p99[b] = append(all[i].p99[b], float64(r.p99)/float64(res[b].p99))
			}
		}
		for _, line := range bystanding {
			fmt.Println(line)
		}
		disturbed += len(bystanding)
	}
	if disturbed > 0 {
		fmt.Printf("! %d of %d measurements ran beside other busy processes (above): their ratios are not the proxies'; run again on an otherwise idle machine\n",
			disturbed, o.rounds*len(targets))
	}
	fmt.Printf("median of %d rounds: throughput ratio (p99 ratio) to direct | nginx | haproxy; own CPU µs per request, its ratio to nginx's and its system (kernel) and user shares; "+
		"Waiter's Go heap allocations per request (its /metrics, background work included)\n", o.rounds)
	for i, tg := range targets[1:] {
		a := all[i+1]
		var cols []string
		for b := range 3 {
			cols = append(cols, fmt.Sprintf("%.2f (p99 %.2f)", median(a.rps[b]), median(a.p99[b])))
		}
		cols = append(cols, fmt.Sprintf("cpu %.1f µs/req (%.2f× nginx; system %.1f, user %.1f)", median(a.cpu), median(a.cpu)/median(all[1].cpu),
			median(a.sys), median(a.cpu)-median(a.sys)),
			fmt.Sprintf("machine %.1f µs/req (%.2f× nginx's: backend %.1f, wrk %.1f), %.1f%% idle",
				median(a.machine), median(a.machine)/median(all[1].machine), median(a.backend), median(a.load), 100*median(a.idle)))
		if len(a.mallocs) > 0 {
			cols = append(cols, fmt.Sprintf("%.2f Go allocations/req", median(a.mallocs)))
		}
		fmt.Printf("%-22s %s\n", tg.name, strings.Join(cols, " | "))
	}
	// Round by round (paired.go): each Waiter against nginx, plain and
	// sending Waiter's headers, and the Waiter under test against the
	// base's same target.
	named := func(name string) int { return slices.IndexFunc(targets, func(t target) bool { return t.name == name }) }
	for i, tg := range targets {
		for _, n := range []int{named("nginx"), named(nginxWaiterHeaders)} {
			if tg.metrics != "" && n >= 0 {
				fmt.Println(pairedLine(tg.name, targets[n].name, all[i].cpu, all[n].cpu, all[i].rps[0], all[n].rps[0]))
			}
		}
		if tested, ok := strings.CutPrefix(tg.name, "base "); ok {
			if j := named(tested); j >= 0 {
				fmt.Println(pairedLine(tested, tg.name, all[j].cpu, all[i].cpu, all[j].rps[0], all[i].rps[0]))
			}
		}
	}
	for _, p := range profiles {
		fmt.Printf("-- CPU profile of %s under this load (last round): %s\n", p.name, p.path)
		if err := printTop(p.bin, p.path); err != nil {
			return err
		}
	}
	return nil
}

func median(xs []float64) float64 {
	s := slices.Clone(xs)
	slices.Sort(s)
	if len(s) == 0 {
		return 0
	}
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}

// roundOrder is the order the targets run in, in round (from 1): listed
// in odd rounds, reversed in even ones, so that over two rounds each of
// two targets runs both before and after the other. With one order for
// every round, the base waiter always followed the waiter under test,
// and a run of 7 rounds had it ahead in 6 of them, where a run of 3 had
// it behind in all: a host whose load drifts within a round weighed on
// each pair one way.
func roundOrder(n, round int) []int {
	order := make([]int, n)
	for k := range order {
		order[k] = k
		if round%2 == 0 {
			order[k] = n - 1 - k
		}
	}
	return order
}
