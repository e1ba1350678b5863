package main

import (
	"bytes"
	"fmt"
	"os/exec"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// wrkResult is what wrk reports for one target.
type wrkResult struct {
	rps      float64
	p50, p99 time.Duration
	requests int64
	errors   string        // socket errors and non-2xx responses, "" when none
	cpu      time.Duration // wrk's own CPU time (user + system)
}

// wrkArgs are the load's shape: threads, connections, duration.
type wrkArgs struct {
	bin         string
	threads     int
	connections int
	duration    time.Duration
}

// run loads url with wrk, sending headers with every request; script,
// when set, is a wrk Lua script (the 1 MB upload) and connections, when
// positive, overrides a.connections.
func (a wrkArgs) run(url string, headers map[string]string, duration time.Duration, script string, connections int) (wrkResult, error) {
	if connections <= 0 {
		connections = a.connections
	}
	args := []string{"-t" + strconv.Itoa(a.threads), "-c" + strconv.Itoa(connections),
		"-d" + strconv.Itoa(int(duration.Seconds())) + "s", "--latency", "--timeout", "10s"}
	if script != "" {
		args = append(args, "-s", script)
	}
	for k, v := range headers {
		args = append(args, "-H", k+": "+v)
	}
	args = append(args, url)
	var out bytes.Buffer
	cmd := exec.Command(a.bin, args...)
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Run(); err != nil {
		return wrkResult{}, fmt.Errorf("wrk %s: %v\n%s", url, err, out.String())
	}
	r, err := parseWrk(out.String())
	r.cpu = cmd.ProcessState.UserTime() + cmd.ProcessState.SystemTime()
	return r, err
}

var (
	reRPS      = regexp.MustCompile(`Requests/sec:\s+([0-9.]+)`)
	reRequests = regexp.MustCompile(`(\d+) requests in`)
	reLatency  = regexp.MustCompile(`(?m)^\s+(50|99)%\s+([0-9.]+)(us|ms|s)\s*$`)
	reErrors   = regexp.MustCompile(`(?m)^\s*(Socket errors:.*|Non-2xx or 3xx responses:.*)$`)
)

// parseWrk reads wrk's --latency output.
func parseWrk(out string) (wrkResult, error) {
	var r wrkResult
	m := reRPS.FindStringSubmatch(out)
	if m == nil {
		return r, fmt.Errorf("no Requests/sec in wrk's output:\n%s", out)
	}
	r.rps, _ = strconv.ParseFloat(m[1], 64)
	if m := reRequests.FindStringSubmatch(out); m != nil {
		r.requests, _ = strconv.ParseInt(m[1], 10, 64)
	}
	for _, m := range reLatency.FindAllStringSubmatch(out, -1) {
		v, _ := strconv.ParseFloat(m[2], 64)
		unit := map[string]time.Duration{"us": time.Microsecond, "ms": time.Millisecond, "s": time.Second}[m[3]]
		d := time.Duration(v * float64(unit))
		if m[1] == "50" {
			r.p50 = d
		} else {
			r.p99 = d
		}
	}
	if r.p50 == 0 || r.p99 == 0 {
		return r, fmt.Errorf("no latency distribution in wrk's output:\n%s", out)
	}
	var errs []string
	for _, m := range reErrors.FindAllStringSubmatch(out, -1) {
		errs = append(errs, strings.TrimSpace(m[1]))
	}
	r.errors = strings.Join(errs, "; ")
	return r, nil
}
