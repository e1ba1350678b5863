// Package logthrottle keeps a log readable under overload: a
// log/slog.Handler wrapper that lets the first record of each kind through
// per time window and drops its repeats, then says how many it dropped on
// the next record of that kind it lets through (attribute
// "dropped-repeats"), or in a summary when the kind is forgotten (its
// window over, as the kinds tracked grow) or Flush is called.
//
// A record's kind is its level, its message, the attributes the logger
// was built with (slog.Logger.With, WithGroup) and the values of a few
// chosen attributes (Options.Keys, by default service-id, service,
// instance, op, component and status), so "scheduler call failed" for two
// services are two
// kinds, while per-request attributes such as a correlation id do not
// make every line unique. Windows are measured on the records' own
// timestamps, so the handler reads no clock.
//
// `waiter serve` wraps its logger with it: a router refusing thousands of
// requests a second for the same reason writes a line a second, not
// thousands.
package logthrottle
