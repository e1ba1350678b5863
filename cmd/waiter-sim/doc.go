// Command waiter-sim runs Waiter's engine in virtual time against a
// simulated Mesos cluster and Marathon, and writes what a scaling policy
// does to latency, rejections, cold starts and cost as reports: JSON for
// machines, Markdown and HTML with charts for people.
//
//	waiter-sim run scenarios/spike.yaml
//	waiter-sim compare scenarios/spike.yaml --policies waiter,knative
//	waiter-sim sweep scenarios/spike.yaml --set scale-up-factor=0.05,0.1,0.3
//	waiter-sim reports --check
//
// The logic lives in internal/cli, so tests run the command in-process.
//
// default.pgo is the CPU profile go build optimizes this command with
// (profile-guided optimization): make pgo takes it again from spike.yaml
// and large.yaml; make bench measures what it gains (1.1-1.2x less
// CPU time on large.yaml) and checks the reports do not change.
//
// On Linux, main advises the heap's address space for transparent huge
// pages before anything runs (internal/hugeheap): a run's first touches
// of fresh memory then fault once per 2 MiB instead of per 4 KiB. It
// changes no report; WAITER_SIM_HUGE_PAGES=off runs without it, which is
// how make bench shows what it gains.
//
// main also holds the heap goal at least 32 MB above the live heap, as
// waiter serve does (internal/gcfloor): a run keeps nearly all it
// allocates, so the collections Go's default starts as the heap doubles
// free little and slow every pointer write while they mark. It changes
// no report; GOGC=100 runs without it.
package main
