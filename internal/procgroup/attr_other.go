//go:build unix && !linux

package procgroup

import "syscall"

// OwnGroupDyingWithUs gives the process a group of its own. Only Linux
// has a parent-death signal: elsewhere a helper outlives a test binary
// that dies without cleaning up.
func OwnGroupDyingWithUs(deathSignal syscall.Signal) *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Setpgid: true}
}
