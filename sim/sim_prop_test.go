package sim

import (
	"fmt"
	"strings"
	"testing"

	"github.com/waiter-go/waiter/sim/scenario"
	"pgregory.net/rapid"
)

// TestRandomScenarios generates small random scenarios (services with
// random Waiter parameters, behaviours, loads and faults, on small
// clusters, behind either scheduler's cadence) and runs each with invariant checks on: no task on an agent
// without room, no task healthy before it listens, no dispatch to an
// instance the router never saw healthy, queues within max-queue-length,
// and request conservation at the end.
func TestRandomScenarios(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		var b strings.Builder
		fmt.Fprintf(&b, "name: random\nseed: %d\nduration: %dm\npolicy: %s\n", rapid.Uint64().Draw(t, "seed"),
			rapid.IntRange(1, 8).Draw(t, "minutes"), rapid.SampledFrom([]string{"waiter", "knative"}).Draw(t, "policy"))
		fmt.Fprintf(&b, "scheduler: %s\n", rapid.SampledFrom([]string{"marathon", "shell", "kubernetes"}).Draw(t, "scheduler"))
		fmt.Fprintf(&b, "router: {poll-interval: %ds, fast-poll-interval: %dms, api-latency: %dms}\n", rapid.IntRange(1, 5).Draw(t, "poll"),
			rapid.IntRange(50, 1000).Draw(t, "fastPoll"), rapid.IntRange(0, 200).Draw(t, "api"))
		fmt.Fprintf(&b, "marathon: {agents: %d, agent-cpus: %d, agent-mem: %d, launch-latency: {kind: uniform, min: 500ms, max: %ds}}\n",
			rapid.IntRange(1, 3).Draw(t, "agents"), rapid.IntRange(2, 8).Draw(t, "agentCPUs"), rapid.IntRange(2048, 16384).Draw(t, "agentMem"),
			rapid.IntRange(1, 5).Draw(t, "launchMax"))
		b.WriteString("services:\n")
		n := rapid.IntRange(1, 3).Draw(t, "services")
		for i := 0; i < n; i++ {
			fmt.Fprintf(&b, "  - name: s%d\n", i)
			fmt.Fprintf(&b, "    params: {cpus: %d, mem: %d, concurrency-level: %d, max-queue-length: %d, min-instances: 1, max-instances: %d, idle-timeout-mins: %d, health-check-interval-secs: 5, grace-period-secs: %d, health-check-max-consecutive-failures: %d, load-balancing: %s, scale-up-factor: %v}\n",
				rapid.IntRange(1, 2).Draw(t, "cpus"), rapid.IntRange(256, 2048).Draw(t, "mem"), rapid.IntRange(1, 4).Draw(t, "cl"),
				rapid.IntRange(1, 50).Draw(t, "mql"), rapid.IntRange(1, 8).Draw(t, "max"), rapid.IntRange(1, 3).Draw(t, "idle"),
				rapid.IntRange(5, 60).Draw(t, "grace"), rapid.IntRange(1, 3).Draw(t, "maxfail"),
				rapid.SampledFrom([]string{"oldest", "youngest", "random"}).Draw(t, "lb"), rapid.SampledFrom([]float64{0.1, 0.5, 0.9}).Draw(t, "up"))
			fmt.Fprintf(&b, "    startup: {kind: uniform, min: 100ms, max: %ds}\n", rapid.IntRange(1, 20).Draw(t, "startup"))
			fmt.Fprintf(&b, "    service-time: {kind: exponential, mean: %s}\n", rapid.SampledFrom([]string{"10ms", "100ms", "1s", "5s"}).Draw(t, "st"))
			fmt.Fprintf(&b, "    slow-when-busy: %v\n", rapid.Bool().Draw(t, "slow"))
			fmt.Fprintf(&b, "    failure: {crash-after-requests: %d, busy-above: %d, never-healthy: %v, bad-command: %v}\n",
				rapid.SampledFrom([]int{0, 0, 5, 50}).Draw(t, "crash"), rapid.SampledFrom([]int{0, 0, 2}).Draw(t, "busy"),
				rapid.IntRange(0, 9).Draw(t, "nh") == 0, rapid.IntRange(0, 9).Draw(t, "bad") == 0)
			switch rapid.IntRange(0, 2).Draw(t, "load") {
			case 0:
				fmt.Fprintf(&b, "    load: {kind: constant, rate: %d}\n", rapid.IntRange(0, 50).Draw(t, "rate"))
			case 1:
				fmt.Fprintf(&b, "    load: {kind: step, base: %d, multiplier: %d, start: 1m, duration: 1m}\n", rapid.IntRange(0, 10).Draw(t, "base"), rapid.IntRange(1, 50).Draw(t, "mult"))
			default:
				fmt.Fprintf(&b, "    load: {kind: bursty, on-rate: %d, off-rate: 0, mean-on: 10s, mean-off: 30s}\n", rapid.IntRange(1, 100).Draw(t, "on"))
			}
		}
		if rapid.Bool().Draw(t, "faults") {
			b.WriteString("faults:\n")
			fmt.Fprintf(&b, "  - {kind: marathon-outage, start: %ds, duration: %ds}\n", rapid.IntRange(0, 120).Draw(t, "outStart"), rapid.IntRange(1, 60).Draw(t, "outLen"))
			fmt.Fprintf(&b, "  - {kind: agent-loss, start: %ds, count: 1}\n", rapid.IntRange(0, 120).Draw(t, "lossAt"))
			fmt.Fprintf(&b, "  - {kind: crash, start: %ds, service: s0, count: 2}\n", rapid.IntRange(0, 120).Draw(t, "crashAt"))
			fmt.Fprintf(&b, "  - {kind: slow-launch, start: 0s, duration: %ds, factor: 5}\n", rapid.IntRange(1, 120).Draw(t, "slowLen"))
		}
		sc, err := scenario.Parse("random.yaml", []byte(b.String()))
		if err != nil {
			t.Fatalf("generated scenario rejected: %v\n%s", err, b.String())
		}
		rep, err := Run(sc, Options{CheckInvariants: true})
		if err != nil {
			t.Fatalf("%v\n%s", err, b.String())
		}
		tot := rep.Totals
		if tot.Requests != tot.Completed+tot.Rejected+tot.InFlight || tot.InFlight < 0 {
			t.Fatalf("conservation broken: %+v\n%s", tot, b.String())
		}
	})
}
