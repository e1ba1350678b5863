// Package prefetch asks the processor to load cache lines ahead of their
// use. A loop over many records that have left the cache (the
// simulator's next arrival, a poll's apps and the engine's and syncer's
// records of their services) asks for the next ones a few steps ahead,
// so that their misses overlap the work between instead of following
// one another. A prefetch is a hint: it changes no value any load sees,
// so the engine, which must stay pure, may use it too.
package prefetch
