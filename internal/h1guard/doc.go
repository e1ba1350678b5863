// Package h1guard refuses HTTP/1.1 requests whose framing a proxy and
// its backend could read differently (request smuggling) before
// net/http's server parses them.
//
// net/http already refuses differing Content-Lengths, unknown transfer
// codings and bad chunk sizes, but it accepts a request carrying both
// Content-Length and Transfer-Encoding (it drops the length, as RFC 9112
// allows an intermediary to) and joins obs-fold continuation lines. RFC
// 9112 says both "ought to be handled as an error"; Waiter's router, in
// front of every service, refuses them, and repeated Content-Length
// headers too, even equal ones.
//
// A Guard watches the bytes of a connection as the server reads them:
// each request head (request line and header lines) and the body framing
// it declares (Content-Length, or chunked with its trailer section), so
// it always knows where the next head starts. It changes nothing in a
// well-formed stream. When a head breaks a rule, the guard ends that head
// early with a line net/http refuses ("Content-Length: -1" and the blank
// line), so the server answers 400 Bad Request and closes the connection;
// nothing after it is read. A stream the guard ended (so, or at framing
// it cannot follow) gives one NUL byte and then io.EOF: never an io.EOF
// at once, which net/http's background read would take for the client
// gone while a request before the end is still being served. After an
// Upgrade or CONNECT request, or an HTTP/2 connection preface, the
// stream is no longer HTTP/1.1 and is passed through untouched.
//
// While it reads a head the guard also keeps what net/http's parse loses
// and Waiter's service ids depend on: the x-waiter-* header names as the
// client spelled them, in the order sent. Handler and ConnContext hand
// each request its own names (pipelined requests included) through the
// request's context, where HeaderNames finds them (names.go, context.go);
// a request without such headers costs no allocation.
//
// It is a small hand-written scanner, so it is fuzzed (FuzzGuard): it
// must never panic, never let a well-formed sequence of requests through
// changed, and whatever it passes to the server must parse as the same
// requests or be refused.
package h1guard
