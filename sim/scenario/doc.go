// Package scenario reads the simulator's YAML scenarios: the scheduler
// (marathon, the default, or shell: how the router learns of instance
// health), the cluster, the router's polling, the services with their
// Waiter parameters and behaviour, the load, faults, policy, seed,
// duration and the assertions a run must meet.
//
// Decoding is strict: an unknown field anywhere is an error naming its line,
// and every semantic problem (a negative duration, a service without load,
// an assertion on an unknown metric) is reported with the line of the field
// at fault. A broken scenario file never panics the simulator.
package scenario
