// Package peerauth authenticates calls between the routers of one Waiter
// cluster with the cluster secret: the caller signs, with HMAC-SHA256, a
// canonical text of the method, the path and query, the source and
// destination router ids, the time, a random nonce and the SHA-256 of the
// body, and sends it in the X-Waiter-Router-Auth header. The callee
// recomputes the signature, refuses a time outside its replay window
// (±30 s by default) and a nonce it has already seen inside that window,
// and answers 401 otherwise.
//
// Waiter itself sends Basic credentials whose password is
// MD5(src:dest:secret): the same secret for every call, replayable
// forever. This scheme keeps the secret off the wire and binds each
// signature to one request, one destination and one moment.
//
// The package owns the header's format, the signing and the checking; it
// reads no clock (the time comes in as a function) and does no I/O beyond
// reading a request body up to a bound.
package peerauth
