// Package fidelity is the short fidelity check of make test: it builds
// waiter, waiter-sim and kitchen, runs `waiter-sim fidelity` on a one-minute
// scenario (its own waiter serve with the shell scheduler, kitchens as
// the service) and requires the simulated instance curves to follow the
// real ones. `make fidelity` runs the full scenarios.
package fidelity
