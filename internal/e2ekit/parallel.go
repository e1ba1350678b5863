package e2ekit

import (
	"flag"
	"strconv"
)

// DefaultParallel sets -test.parallel to n unless the command line gave
// it; call it after flag.Parse. The end-to-end tests wait on processes
// and timers, not the CPU, and a slow one (the idle timeout's) takes over
// a minute: with the default (GOMAXPROCS) the others would queue behind it.
func DefaultParallel(n int) {
	set := false
	flag.Visit(func(f *flag.Flag) {
		if f.Name == "test.parallel" {
			set = true
		}
	})
	if !set {
		_ = flag.Set("test.parallel", strconv.Itoa(n))
	}
}
