package scenario

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/waiter-go/waiter/sim/rng"
)

const oneService = "name: x\nduration: 1m\nservices:\n  - name: a\n    load: {kind: constant, rate: 1}\n"

// The scenario that failed three times in issue 13, written as a reader
// of the README would: durations and distributions in one unit syntax.
func TestUnitsAreWrittenTheSameEverywhere(t *testing.T) {
	sc, err := Parse("t.yaml", []byte(`name: readme
duration: 30m
router: {poll-interval: 2s, api-latency: 20ms}
marathon: {launch-latency: 1500ms, backoff: 2s, max-launch-delay: 5m}
services:
  - name: api
    startup: 5s
    healthy-after: {kind: uniform, min: 1s, max: 3s}
    service-time: {kind: lognormal, median: 80ms, sigma: 0.5}
    load: {kind: bursty, on-rate: 30, mean-on: 1m, mean-off: 20m}
`))
	if err != nil {
		t.Fatal(err)
	}
	s := sc.Services[0]
	checks := []struct {
		name      string
		got, want any
	}{
		{"startup", s.Startup.Dist, rng.Dist{Kind: rng.Constant, Value: 5}},
		{"healthy-after", s.HealthyAfter.Dist, rng.Dist{Kind: rng.Uniform, Min: 1, Max: 3}},
		{"service-time", s.ServiceTime.Dist, rng.Dist{Kind: rng.LogNormal, Median: 0.08, Sigma: 0.5}},
		{"launch-latency", sc.Marathon.LaunchLatency.Dist, rng.Dist{Kind: rng.Constant, Value: 1.5}},
		{"backoff", sc.Marathon.Backoff, 2 * time.Second},
		{"max-launch-delay", sc.Marathon.MaxLaunchDelay, 5 * time.Minute},
		{"poll-interval", sc.Router.PollInterval, 2 * time.Second},
		{"mean-off", s.Load.Bursty.MeanOff, 20 * time.Minute},
	}
	for _, c := range checks {
		if c.got != c.want {
			t.Errorf("%s = %v, want %v", c.name, c.got, c.want)
		}
	}
}

// What a key or value left out becomes, as the reference documents it.
func TestDefaults(t *testing.T) {
	sc, err := Parse("t.yaml", []byte(oneService))
	if err != nil {
		t.Fatal(err)
	}
	s := sc.Services[0]
	checks := []struct {
		name      string
		got, want any
	}{
		{"policy", sc.Policy, Policy("waiter")},
		{"poll-interval", sc.Router.PollInterval, 5 * time.Second},
		{"api-latency", sc.Router.APILatency, 50 * time.Millisecond},
		{"scaling-interval", sc.Router.ScalingInterval, time.Second},
		{"queue-timeout", sc.Router.QueueTimeout, 5 * time.Minute},
		{"agents", sc.Marathon.Agents, 10},
		{"agent-cpus", sc.Marathon.AgentCPUs, 32.0},
		{"agent-mem", sc.Marathon.AgentMemMB, 131072.0},
		{"launch-latency", sc.Marathon.LaunchLatency.Dist, rng.Dist{Kind: rng.LogNormal, Median: 2, Sigma: 0.3}},
		{"backoff", sc.Marathon.Backoff, time.Second},
		{"max-launch-delay", sc.Marathon.MaxLaunchDelay, time.Hour},
		{"startup", s.Startup.Dist, rng.Dist{Kind: rng.Constant, Value: 2}},
		{"service-time", s.ServiceTime.Dist, rng.Dist{Kind: rng.Constant, Value: 0.05}},
		{"healthy-after", s.HealthyAfter == nil, true},
	}
	for _, c := range checks {
		if c.got != c.want {
			t.Errorf("%s = %v, want %v", c.name, c.got, c.want)
		}
	}
}

// Every refusal names the file, the line and the field's path, and says
// what to write when the problem is a spelling: old snake_case keys,
// old metric names and bare numbers where a duration belongs.
func TestErrorsNameTheFieldPath(t *testing.T) {
	svc := func(extra string) string {
		return "name: x\nduration: 1m\nservices:\n  - name: a\n    load: {kind: constant, rate: 1}\n" + extra
	}
	cases := []struct{ in, want string }{
		{svc("    startup: 5\n"), `t.yaml: line 6: services[0].startup: 5 has no unit: write 5s for 5 seconds`},
		{svc("    startup: {kind: uniform, min: 3, max: 6}\n"), `line 6: services[0].startup.min: 3 has no unit: write 3s`},
		{svc("    service_time: 50ms\n"), `line 6: services[0].service_time: unknown field "service_time": use service-time`},
		{svc("    serviceTime: 50ms\n"), `services[0].serviceTime: unknown field "serviceTime": use service-time`},
		{svc("    startup: five\n"), `services[0].startup: want a duration such as 200ms, 5s or 1h30m, got "five"`},
		{svc("    startup: {kind: lognormal, median: 1s, sigma: 1, mean: 2s}\n"), `services[0].startup: give exactly one of median and mean`},
		{svc("    failure: {crash_after_requests: 5}\n"), `services[0].failure.crash_after_requests: unknown field "crash_after_requests": use crash-after-requests`},
		{svc("    params: {idle_timeout_mins: 5}\n"), `line 6: services[0].params.idle_timeout_mins: not a Waiter parameter: use idle-timeout-mins`},
		{svc("    params: {colour: blue}\n"), `services[0].params.colour: not a Waiter parameter`},
		{svc("    params: {max-instances: 0}\n"), `services[0].params.max-instances: must be between 1 and 2000 (got 0)`},
		{svc("    count: -1\n"), `services[0].count: must not be negative`},
		{"name: x\nduration: 1m\nservices:\n  - name: a\n    load: {kind: bursty, on_rate: 5, mean-on: 1s, mean-off: 1s}\n", `line 5: services[0].load.on_rate: unknown field "on_rate": use on-rate`},
		{"name: x\nduration: 1m\nservices:\n  - name: a\n    load: {kind: sum, of: [{kind: constant, rate: -1}]}\n", `services[0].load.of[0].rate: must be ≥ 0, got -1`},
		{"name: x\nduration: 1m\nservices:\n  - name: a\n", `services[0].load: is required`},
		{"name: x\nduration: 1m\nservices:\n  - {name: a, load: {kind: constant, rate: 1}}\n  - {name: a, load: {kind: constant, rate: 1}}\n", `line 5: services[1].name: "a" names another service too`},
		{"name: x\nduration: 1m\nservices:\n  - name: a\n    load: {kind: constant, rate: 1}\n    split: {versions: [v1], schedule: [{at: 1m, weights: [0]}]}\n", `services[0].split.schedule[0].weights: must not all be 0`},
		{svc("marathon: {backoff-seconds: 3}\n"), `line 6: marathon.backoff-seconds: "backoff-seconds" was renamed: use backoff with a unit (such as 1s or 500ms)`},
		{svc("marathon: {agents: 0}\n"), `marathon.agents: must be more than 0`},
		{svc("router: {poll-interval: 0s}\n"), `router.poll-interval: must be more than 0`},
		{svc("router: {poll-interval: 5}\n"), `router.poll-interval: 5 has no unit: write 5s`},
		{svc("assertions:\n  - {metric: cold_starts, min: 1}\n"), `line 7: assertions[0].metric: unknown value "cold_starts": use cold-starts`},
		{svc("assertions:\n  - {metric: p99_latency_ms, max: 1}\n"), `assertions[0].metric: unknown value "p99_latency_ms": use p99-latency-ms`},
		{svc("assertions:\n  - {metric: happiness, max: 1}\n"), `assertions[0].metric: unknown value "happiness" (one of requests, completed`},
		{svc("assertions:\n  - {metric: requests}\n"), `line 7: assertions[0]: needs max, min or both`},
		{svc("assertions:\n  - {metric: requests, max: 1, service: b}\n"), `assertions[0].service: names no service of this scenario: "b"`},
		{svc("faults:\n  - {kind: crash, service: b, count: 1}\n"), `line 7: faults[0].service: names no service of this scenario: "b"`},
		{svc("faults:\n  - {kind: slow_launch, duration: 1m, factor: 2}\n"), `faults[0].kind: unknown value "slow_launch": use slow-launch`},
		{svc("faults:\n  - {kind: marathon-outage, start: 1m}\n"), `faults[0].duration: marathon-outage needs a duration more than 0`},
		{svc("policy: Knative\n"), `line 6: policy: unknown value "Knative": use knative`},
		{svc("policy: magic\n"), `policy: unknown value "magic" (one of waiter, knative, predictive)`},
		{svc("trace: {replay: {path: t.csv, zero_offset: true}}\n"), `trace.replay.zero_offset: unknown field "zero_offset": use zero-offset`},
		{svc("trace: {replay: {path: t.csv}, template: {load: {kind: constant, rate: 1}}}\n"), `trace.template.load: unknown field "load"`},
		{svc("trace: {replay: {path: t.csv}, template: {params: {cpus: 0}}}\n"), `trace.template.params.cpus: must be in`},
		{svc("report: {interval: 10}\n"), `report.interval: 10 has no unit: write 10s`},
		{"duration: 1m\n", `line 1: name: is required`},
		{"name: x\nduration: 0s\nservices: []\n", `duration: must be more than 0, such as 30m; got 0s`},
		{"name: x\nduration: 1m\n", `services: a scenario needs services, a trace, or both`},
		{"name: x\nduration: 1m\nname: y\n", `line 3: name: written twice (lines 1 and 3)`},
		{"name: [unclosed\n", `t.yaml: line 1: not valid YAML`},
		{"", `t.yaml: empty document`},
	}
	for _, c := range cases {
		_, err := Parse("t.yaml", []byte(c.in))
		var se *Error
		if !errors.As(err, &se) || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%q:\n got  %v\n want …%s…", c.in, err, c.want)
		}
	}
}
