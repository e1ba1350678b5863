//go:build !linux

package localproc

// awaitExit leaves the waiting to cmd.Wait where there is no pidfd.
func awaitExit(int) {}
