// Package knativediff proves that Waiter's knative policy
// (engine.KnativePolicy) decides what Knative Serving v0.42.2's own
// autoscaler decides: it feeds Knative's metric collector
// (pkg/autoscaler/metrics) and decider (pkg/autoscaler/scaling) and our
// policy the same random per-second concurrency series and ready counts,
// at 1 s and 2 s scaling intervals, and requires the same desired count at
// every interval.
//
// It is a module of its own so that the main module does not depend on
// Knative and Kubernetes; `make test` runs it.
package knativediff
