// Package strarena cuts the short strings of a request's path (a head's
// text, header values, canonical header names, a correlation id) from
// shared chunks, so that the router's fast path makes no allocation per
// request in the steady state: one per chunk, whose size is Chunk.
//
// The one rule that makes it safe: a byte an Arena has handed out is never
// written again once its string is made (Seal). Strings cut from an Arena
// are as immutable as any, may be kept past their request (a log record,
// an async request's correlation id), and only keep their chunk alive. An
// Arena is taken from a pool for a few cuts and given back at once
// (Take, Done): nothing idle holds a chunk, and nothing needs to know when
// a request ends.
package strarena
