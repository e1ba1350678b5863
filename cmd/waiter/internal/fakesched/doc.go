// Package fakesched is an in-memory engine.Scheduler for tests of the
// driver and of `waiter serve`: every instance is a real HTTP server
// (net/http/httptest) on 127.0.0.1, so requests are proxied over real
// sockets, while instance health, crashes and failures are set by the
// test. It owns nothing else and is never wired into the production
// binary.
package fakesched
