// Package eventq owns the simulator's pending-event set: a min-heap ordered by
// (time, sequence).
//
// The sequence number is a per-queue insertion counter, so events scheduled for
// the same instant come out in the order they were pushed. Without it, ties
// would break by heap layout, which depends on everything else in the heap, and
// a scenario's outcome would shift when an unrelated event is added; with it,
// a run is a pure function of its seed.
//
// Time is a time.Duration since the simulation epoch (integer nanoseconds), so
// arithmetic on it is exact and never depends on floating-point rounding.
package eventq
