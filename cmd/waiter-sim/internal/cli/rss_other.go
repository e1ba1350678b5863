//go:build !unix

package cli

import "time"

// rusageMaxRSS is unknown without getrusage.
func rusageMaxRSS() int64 { return 0 }

// processUsage is unknown without getrusage.
func processUsage() (cpu time.Duration, faults int64) { return 0, 0 }
