// Package kubetest runs a real Kubernetes control plane for tests: etcd,
// kube-apiserver and kube-controller-manager (its ReplicaSet and
// ServiceAccount controllers) built from the Go module proxy by
// test/kube/build.sh (`make kube`) into a git-ignored cache, plus the
// project's fake kubelet (internal/fakekubelet) as the one node. Every
// server listens on a free 127.0.0.1 port with state in a temp folder;
// the API server takes a bearer token only (no anonymous access). Close
// stops every process it started and waits for them.
//
// Faults for tests: StopAPIServer/StartAPIServer (an outage),
// StopControllerManager/StartControllerManager (no ReplicaSet controller
// acting), and Options.ControllerPodWatchLag, a loopback proxy in front
// of the controller manager that delivers its pod watches late (lag.go)
// so that its pod cache trails its ReplicaSet cache.
//
// The binaries are found through $KUBE_BIN_DIR, else `test/kube/build.sh
// --path`; when they have not been built, Start fails the test saying to
// run `make kube` (a cold build takes ~12-25 minutes, so no test builds
// them itself).
package kubetest
