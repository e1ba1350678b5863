// Package rng owns every random number the simulator draws.
//
// A run has one seed. [New] turns it into a root [Source], and every consumer
// (a service's load, a cluster's failures, a version split) asks for its own
// stream with [Source.Derive]. A derived stream depends only on its parent's
// seed and its name, never on how many numbers the parent or a sibling has
// drawn, so adding a stream, or drawing more from one, never perturbs any other.
// That is what keeps a scenario's report stable when an unrelated part of it
// changes.
//
// The generator is xoshiro256** seeded through splitmix64, written out here
// rather than borrowed from math/rand/v2: the exact sequence is part of the
// simulator's output format (same seed, same bytes), so it must not change
// when the Go release does. For the same reason the exponential and normal
// variates use plain inversion and Marsaglia's polar method instead of
// library ziggurat tables.
//
// [Dist] describes the small family of distributions scenarios use for
// start-up times, service times and the like; [DurationDist] is a Dist of
// durations, which decodes from YAML with a unit on every value (5s,
// {kind: uniform, min: 3s, max: 6s}), as durations are written elsewhere.
// A [Sampler] draws the same durations from one Dist and a stream of its
// own, for a caller that draws from it at every request.
package rng
