// Package kitchen owns the behaviour of Waiter's test service: the HTTP
// handler that turns a request's path and x-kitchen-* headers into a
// response, the process-wide state it reports (request counters, async
// requests, the default status), and the small server wrapper that binds it
// to a port.
//
// A request is handled in the same order as the original Python kitchen
// (twosigma/waiter containers/test-apps/kitchen/bin/kitchen), because tests
// depend on that order: the path rule runs first (so /sleep sleeps before the
// body is read and /die dies before answering), then the header rules
// (x-kitchen-delay-ms sleeps, then the request body is consumed), then any
// async resource rule, and finally the response is written. Every header
// value is validated before any of those effects, so a malformed header
// yields a 400 instead of a half-applied request. A request on any path
// with Upgrade: websocket becomes a websocket that greets the client and
// echoes its messages (websocket.go).
//
// Everything that would end or outlive the process (exit, the environment,
// timers) goes through Handler fields so that tests can observe it without
// killing the test binary; timers use the time package so testing/synctest
// can drive them on a fake clock.
package kitchen
