//go:build !unix

package cli

// rusageMaxRSS is unknown without getrusage.
func rusageMaxRSS() int64 { return 0 }
