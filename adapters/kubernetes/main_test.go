package kubernetes

import (
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/waiter-go/waiter/internal/fakekubelet"
	"github.com/waiter-go/waiter/internal/kubetest"
)

// cluster is the control plane every test of the package shares (each
// test uses its own Cluster label and namespace where it matters).
var cluster *kubetest.Cluster

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "kube-adapter-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	if builtService, err = buildService(dir); err != nil {
		fmt.Fprintln(os.Stderr, err)
		_ = os.RemoveAll(dir)
		os.Exit(1)
	}
	cluster, err = kubetest.New(dir, kubetest.Options{Namespaces: []string{"alice"},
		// Pod ports below Linux's ephemeral range, apart from the other
		// suites' (test/kubernetes 32500-32767, shell 20000-31199,
		// test/acceptance 31200-32099, test/marathon 18000-19199) and
		// the own nodes of TestKillWithAPendingPod (pendingPorts) and
		// TestKillWaitsForTheControllerToSeeItsMark (killMarkPorts) and
		// TestKillWhenTheControllerSeesPodsLate (lagPorts).
		Kubelet: fakekubelet.Config{CPU: 4, MemoryMiB: 8192, PortRange: [2]int{32100, 32349},
			Unpullable: func(image string) bool { return strings.Contains(image, "does-not-exist") }}})
	if err != nil {
		fmt.Fprintln(os.Stderr, "kubernetes tests: no control plane:", err)
		_ = os.RemoveAll(dir)
		os.Exit(1)
	}
	fmt.Fprintf(os.Stderr, "kubernetes tests: control plane up in %v\n", cluster.Timings)
	code := m.Run()
	if err := cluster.Close(); err != nil {
		fmt.Fprintln(os.Stderr, "kubernetes tests: close:", err)
		code = 1
	}
	_ = os.RemoveAll(dir)
	os.Exit(code)
}
