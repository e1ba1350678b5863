// Package eventq owns the simulator's pending-event set, ordered by (time,
// sequence).
//
// The sequence number is a per-queue insertion counter, so events scheduled for
// the same instant come out in the order they were pushed. Without it, ties
// would break by the layout of the structure, which depends on everything else
// in it, and a scenario's outcome would shift when an unrelated event is added;
// with it, a run is a pure function of its seed.
//
// Time is a time.Duration since the simulation epoch (integer nanoseconds), so
// arithmetic on it is exact and never depends on floating-point rounding.
//
// Most of a simulation's events (request completions) fall within a second of
// the last one popped, so they go to a timing wheel of about a millisecond per
// slot, a few places per slot in one array: pushing one stores it in its slot,
// popping one finds the first occupied slot in a bitmap. The rest (polls,
// samples, faults, events in the past, events of a full slot) go to a 4-ary
// heap; Pop takes the smaller (time, sequence) of the two, so the order is the
// same as one heap's would be.
package eventq
