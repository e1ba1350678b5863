// Package marathon tests `waiter serve --scheduler marathon` end to end
// against the simulated Marathon (`waiter-sim marathon`), whose tasks are
// real local processes: what the router does to a kitchen service is
// checked from the outside, through Waiter's REST API, through
// Marathon's REST API as the simulator serves it, and through /proc.
//
// TestMain builds waiter, waiter-sim and kitchen once into a temporary
// folder. Every test starts its own cluster (startCluster): one
// `waiter-sim marathon` and one `waiter serve` on 127.0.0.1 ports the
// kernel chooses, with temporary folders, a disjoint range of task ports
// and short intervals, so tests run in parallel and one test's Marathon
// outage touches no other. Each cluster's clean-up stops both processes
// with SIGTERM, fails the test if either does not exit 0 or if a kitchen
// process of its tasks is still alive, and kills whatever is left; on
// failure it logs the tail of both logs. TestMain finally checks that no
// process runs the built kitchen at all.
//
// Nothing waits by sleeping: every wait polls a condition until a
// deadline (e2ekit.Eventually) or waits for a log line.
//
// The tests, one file each, follow the router's story on Marathon:
// start_test.go (the first request starts the service), scale_test.go
// (concurrent load scales it up, idleness down), kill_test.go (killing an
// instance), outage_test.go (a window in which Marathon answers 503),
// delete_test.go (DELETE /apps/{id}), idle_test.go (removal after
// idle-timeout-mins, whose minimum of one minute makes it the longest
// test) and shutdown_test.go (stopping both processes leaves no kitchen).
// routers_faults_test.go runs three `waiter serve --cluster zookeeper` on
// one real ZooKeeper (internal/zktest) and one simulator, and the faults
// a cluster of routers must survive: SIGKILL of the leader under load, a
// router cut off from its peers (peerproxy_test.go: a proxy in front of
// each router that refuses calls by the router that signed them), and
// ZooKeeper stopped for 30 s; routers_test.go starts them.
//
// Helpers: main_test.go (TestMain), build_test.go (go build),
// internal/childproc (child processes and their logs) and internal/e2ekit
// (the router's client: its API, requests to a kitchen service through
// it, background traffic; processes in /proc; polling), both shared with
// test/kubernetes and test/acceptance, cluster_test.go (one simulator and
// one router), procfs_test.go (task processes) and
// marathon_client_test.go (Marathon's REST API).
//
// Linux only (process groups and /proc, like the simulator's tasks);
// skipped with -short.
package marathon
