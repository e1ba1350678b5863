//go:build !unix

package cli

import "time"

// rusageMaxRSS is unknown without getrusage.
func rusageMaxRSS() int64 { return 0 }

// processCPU is unknown without getrusage.
func processCPU() time.Duration { return 0 }

// processFaults is unknown without getrusage.
func processFaults() int64 { return 0 }
