// Package serve wires `waiter serve` together and runs it: the bbolt store
// in the data folder, the scheduler named by the configuration, the driver
// that owns the engine (internal/router), and the HTTP edge
// (adapters/http) on its listener. It also owns the shutdown order on
// SIGTERM: stop taking requests, let in-flight ones finish (bounded by
// drain-timeout), stop the driver, stop every instance through the
// scheduler, close the store.
//
// The real clock is created by the caller (cmd/waiter's main) and passed
// in, so tests run the same wiring with fakes.
package serve
