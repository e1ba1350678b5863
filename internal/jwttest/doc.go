// Package jwttest is a JWT issuer for tests of `waiter serve` with the
// jwt authenticator: an RSA key pair, its public half as a JWKS file, and
// signed tokens for any subject, issuer, audience and validity, through
// github.com/lestrrat-go/jwx/v3 like the authenticator itself.
package jwttest
