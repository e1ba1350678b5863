// Package h1resp frames HTTP/1.1 responses from bytes, for the
// event-loop front that proxies to backends: it finds where a backend's
// response head ends, what it says about the connection, and where the
// body ends, so the front knows which bytes belong to this response and
// which to the next one. It works on the bytes the loop already holds
// (no io.Reader, no goroutine) and does not allocate: ParseHead parses a
// head at the start of a buffer, again from the start as more bytes
// come, into reused field storage; Chunked scans a chunked body in any
// splits, keeping its few bytes of state between reads.
//
// A proxy that reads a response's framing differently from its client
// lets a backend (or whoever controls a backend's output) split one
// response into two, or hide one inside another: the rest of the
// connection then answers other requests wrongly. So framing that could
// be read two ways is refused rather than repaired, even where RFC 9112
// allows a recipient to guess: bare LF line ends, obs-fold, field names
// that are not tokens or are followed by whitespace, control bytes in
// values, Transfer-Encoding other than a single "chunked" (or in an
// HTTP/1.0 response), Transfer-Encoding with Content-Length, and
// Content-Lengths that differ. Every head and body this package accepts,
// net/http reads the same way (FuzzParseHead and FuzzChunked hold it to
// that), but for a Content-Length list of equal values ("5, 5"), which
// RFC 9110 8.6 allows and net/http refuses; it refuses some that
// net/http repairs.
//
// It only frames: it does not decode the chunked coding, interpret other
// fields, or decide what a 1xx, a 101 or an answer to CONNECT means for
// the connection; those are the caller's.
package h1resp
