package main

import (
	"os"

	"github.com/waiter-go/waiter/cmd/waiter-sim/internal/cli"
	"github.com/waiter-go/waiter/internal/gcfloor"
	"github.com/waiter-go/waiter/internal/hugeheap"
)

// heapReserve is how much of the heap's address space is advised for
// huge pages before anything runs: more than large.yaml's day uses
// (about 50 MB), and only address space until touched.
const heapReserve = 256 << 20

func main() {
	// A run spends its first touches of fresh memory in page faults
	// (4,000 of spike.yaml's, a fifth of its CPU time on the benchmark
	// VM); on huge pages there are about 1,500. WAITER_SIM_HUGE_PAGES=off
	// runs without, as make bench does to show the difference. A kernel
	// that refuses the advice leaves the heap as it was: nothing to tell.
	if os.Getenv("WAITER_SIM_HUGE_PAGES") != "off" {
		_ = hugeheap.Reserve(heapReserve)
	}
	// What a run allocates it mostly keeps, so Go's default collections
	// free little and make every pointer written while they mark go
	// through the write barrier; GOGC=100 in the environment runs
	// without the floor, as make bench does to show the difference. The
	// process ends with the command: nothing to stop.
	gcfloor.Start()
	os.Exit(cli.Run(os.Args[1:], os.Stdout, os.Stderr))
}
