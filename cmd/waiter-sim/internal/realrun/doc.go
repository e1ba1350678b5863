// Package realrun plays a scenario against a real router (waiter-sim
// load): each service is described by x-waiter-* headers and played by
// kitchen with the scenario's start-up time and per-request service
// time, the arrivals are the ones the simulator draws from the same seed
// (open loop: a request goes out at its time whatever the earlier ones are
// doing), and the router's /state/{id} and /metrics are sampled every
// second, as is GET /state's next wake-up, which times the router's
// scaling passes (passes.go). The result is a sim.Report of the same
// shape as a simulated run's, so every report, chart and comparison works
// on it, plus a log of every request.
//
// It also starts what waiter-sim fidelity needs on this machine: a
// `waiter serve` on free loopback ports in a temporary folder (serve.go),
// and the calibration of what the real path adds to the model
// (calibrate.go).
package realrun
