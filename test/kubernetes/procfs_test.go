package kubernetes

import "github.com/waiter-go/waiter/internal/e2ekit"

// podProcesses lists the live processes of the router named cluster's
// pods, each labelled with its pod's name (HOSTNAME, as in a container):
// those whose environment has WAITER_CLUSTER=cluster (each test's router
// has its own id, which the adapter gives instances as WAITER_CLUSTER),
// which every process a pod forks inherits; so this finds one test's pods
// and nothing of a parallel test's.
func podProcesses(cluster string) []e2ekit.Process {
	return e2ekit.ProcessesWithEnv(e2ekit.EnvIs("WAITER_CLUSTER", cluster), "HOSTNAME")
}
