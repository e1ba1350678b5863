package procgroup

import "syscall"

// OwnGroupDyingWithUs is what a test harness starts a helper process
// with (a server under test, ZooKeeper, the Kubernetes control plane): a
// process group of its own, so that a clean-up can signal everything it
// forked at once, and deathSignal from the kernel should the test binary
// die without cleaning up (a -timeout panic).
func OwnGroupDyingWithUs(deathSignal syscall.Signal) *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Setpgid: true, Pdeathsig: deathSignal}
}
