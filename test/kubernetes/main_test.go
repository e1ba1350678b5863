package kubernetes

import (
	"flag"
	"fmt"
	"os"
	"syscall"
	"testing"

	"github.com/waiter-go/waiter/internal/e2ekit"
	"github.com/waiter-go/waiter/internal/fakekubelet"
	"github.com/waiter-go/waiter/internal/kubetest"
)

// minParallel is how many tests run at once unless -test.parallel says
// otherwise: they wait on processes and timers, and the idle test alone
// takes over a minute.
const minParallel = 8

var (
	bins binaries
	kube *kubetest.Cluster
)

func TestMain(m *testing.M) {
	flag.Parse()
	e2ekit.DefaultParallel(minParallel)
	os.Exit(run(m))
}

func run(m *testing.M) int {
	dir, err := os.MkdirTemp("", "waiter-kube-e2e-")
	if err != nil {
		fmt.Fprintln(os.Stderr, "test/kubernetes:", err)
		return 1
	}
	defer os.RemoveAll(dir)
	if bins, err = buildBinaries(dir); err != nil {
		fmt.Fprintln(os.Stderr, "test/kubernetes:", err)
		return 1
	}
	if kube, err = kubetest.New(dir+"/kube", kubetest.Options{
		// Pod ports apart from adapters/kubernetes' (32100-32499), the
		// other suites' and the outage test's own node (outagePorts),
		// below Linux's ephemeral range.
		Kubelet: fakekubelet.Config{PortRange: [2]int{32500, 32699}}}); err != nil {
		fmt.Fprintln(os.Stderr, "test/kubernetes: control plane:", err)
		return 1
	}
	fmt.Fprintf(os.Stderr, "test/kubernetes: control plane up: %v\n", kube.Timings)
	code := m.Run()
	if err := kube.Close(); err != nil {
		fmt.Fprintln(os.Stderr, "test/kubernetes: stopping the control plane:", err)
		code = 1
	}
	if left := e2ekit.ProcessesRunning(bins.kitchen); len(left) > 0 {
		fmt.Fprintf(os.Stderr, "test/kubernetes: kitchen processes still running after every test: %v\n", left)
		for _, pid := range left {
			_ = syscall.Kill(pid, syscall.SIGKILL)
		}
		code = 1
	}
	return code
}
