// Package kerberos authenticates HTTP requests by SPNEGO
// (`Authorization: Negotiate <token>`, RFC 4559) against the router's
// service key in a keytab, the way Waiter's Kerberos authenticator does
// (waiter/src/waiter/auth/spnego.clj). It depends on
// github.com/jcmturner/gokrb5/v8 for the keytab, the SPNEGO and Kerberos
// token formats and AP-REQ verification (including its replay cache); it
// writes no cryptography of its own.
//
// It owns one decision: whether a Negotiate token proves a client
// principal to this service. The answer is the principal's user name and
// realm ("alice" and "EXAMPLE.TEST" for alice@EXAMPLE.TEST; Waiter acts
// as the user name), or an *Error whose Challenges hold the www-authenticate
// value for the 401 (`Negotiate`, which asks the client to start again).
//
// Each check costs a decryption with the service key and a replay-cache
// lookup, so the HTTP edge remembers a success in its x-waiter-auth
// cookie. The package talks to no KDC: only clients do. The package knows
// nothing of the router: cmd/waiter wires it to the HTTP edge's
// Authenticator port.
package kerberos
