// Package jwt authenticates HTTP requests that carry a JSON Web Token as
// `Authorization: Bearer <token>`, the way Waiter's JWT authenticator does
// (waiter/src/waiter/auth/jwt.clj). It depends on
// github.com/lestrrat-go/jwx/v3 for every piece of JOSE: parsing, signature
// verification and claim validation. It writes no cryptography of its own.
//
// It owns:
//   - the verification keys: a JSON Web Key Set read from a file (re-read
//     when it changes) or fetched from a URL through jwx's jwk.Cache, which
//     refreshes it in the background; a token naming a key the set does not
//     hold forces one early refresh, rate-limited, so a rotated key is
//     accepted as soon as the issuer publishes it (keys.go);
//   - the rules a token must meet: a `kid` naming a key of the set, an
//     `alg` from the configured list, which may hold only asymmetric
//     algorithms (so `none` and HMAC are refused, and with them the
//     HS256-signed-with-the-RSA-public-key confusion), a key whose type
//     fits that algorithm, a valid signature, the configured issuer and
//     audience, an `exp` that has not passed and an `nbf` that has, both
//     within the configured clock skew, and a non-empty subject claim
//     (authenticator.go, algorithms.go);
//   - the answer: the user (the subject up to its first "@", Waiter's
//     principal->username), or an *Error whose Challenges hold the
//     www-authenticate value to send with the 401 (RFC 6750:
//     `Bearer realm="<host>"`, plus error="invalid_token" and a
//     description when a token was presented and refused).
//
// The package knows nothing of the router: cmd/waiter wires it to the HTTP
// edge's Authenticator port. Time comes from Config.Now, so tests move it.
package jwt
