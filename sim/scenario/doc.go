// Package scenario reads the simulator's YAML scenarios: the scheduler
// (marathon, the default, or shell: how the router learns of instance
// health), the cluster, the router's polling, the services with their
// Waiter parameters and behaviour, the load, faults, policy, seed,
// duration and the assertions a run must meet.
//
// The Go types are the format: their struct tags give each key its
// kebab-case name, meaning, unit and default, sim/strictyaml decodes by
// them, and Reference writes the documentation from them (docs/scenario.md,
// `waiter-sim docs scenario`). Decoding is strict: an unknown key, an old
// spelling (snake_case, backoff-seconds), a duration without a unit or a
// value that breaks a rule is an *Error naming the file, the line and the
// field's path (services[0].startup), with what to write instead when that
// is known. A broken scenario file never panics the simulator.
package scenario
