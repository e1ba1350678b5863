// Package kubernetes tests `waiter serve --scheduler kubernetes` end to
// end against a real control plane: etcd, kube-apiserver and
// kube-controller-manager built from the module proxy (`make kube`,
// internal/kubetest) and the project's fake kubelet, which runs each pod
// as local processes. What the router does to a kitchen service is
// checked from the outside: through Waiter's REST API, through the API
// server (ReplicaSets and pods) and through /proc.
//
// TestMain builds waiter and kitchen once, starts one control plane for
// the package, and after the tests stops it and checks that no kitchen
// built here is still running. Every test starts its own router
// (startRouter) with its own router id (the waiter/cluster label of its
// objects and its instances' WAITER_CLUSTER) and its own namespace, so
// tests run in parallel without seeing each other's services. The API
// server outage test stops the shared API server, so it is the one test
// that does not run in parallel (Go runs it before the parallel ones).
//
// The tests: start_test.go (the first request creates the ReplicaSet and
// is served by a real process), scale_test.go (concurrent slow requests
// scale to exactly N pods, in the router and the API server),
// kill_test.go (an operator's kill of the serving pod), errors_test.go
// (a bad command and an OOM reach the client as deployment errors at
// once), outage_test.go (the API server away for 10 s), idle_test.go
// (idle removal deletes the ReplicaSet), shutdown_test.go (what stopping
// the router leaves).
//
// Nothing waits by sleeping: every wait polls a condition until a
// deadline (e2ekit.Eventually) or waits for a log line. The router's
// client, the requests and traffic through it, and the /proc scans are
// internal/e2ekit's, shared with test/marathon and test/acceptance.
// Linux only.
package kubernetes
