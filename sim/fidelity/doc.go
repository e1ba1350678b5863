// Package fidelity measures how closely a simulation predicts real runs
// of the same scenario (waiter-sim fidelity): instance curves compared
// sample by sample (the share within ±N instances, the RMS error),
// latency percentiles, cold starts (requests and services),
// instance-seconds and kills, and the same figures between real runs
// (the noise a prediction cannot beat). It only compares reports: pure
// functions, no I/O; cmd/waiter-sim/internal/realrun makes the real runs.
package fidelity
