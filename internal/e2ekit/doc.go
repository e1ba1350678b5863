// Package e2ekit is what the end-to-end suites (test/acceptance,
// test/marathon and test/kubernetes) share, written once: building the
// programs under test, a test router's TLS certificate, finding live
// processes in /proc, waiting for a condition with a deadline, and a
// router's client (JSON calls to its API, on-the-fly kitchen services,
// requests and steady traffic through it). Each suite keeps its own
// cluster, since what a router runs on differs; the router's side of a
// test does not.
package e2ekit
