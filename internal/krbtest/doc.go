// Package krbtest runs a throw-away MIT Kerberos realm for tests: a KDC
// on a free 127.0.0.1 port, with its database, configuration and keytab
// in the test's temporary folder, a user principal with a password and a
// service principal (HTTP/localhost) exported to a keytab. Tests of the
// SPNEGO authenticator and of `waiter serve` with it use it to get real
// tickets from a real KDC, through gokrb5's client or MIT's own kinit.
//
// It needs MIT's KDC tools (Debian's krb5-kdc, krb5-admin-server and
// krb5-user: krb5kdc, kdb5_util, kadmin.local, kinit). When they are
// missing the test fails, saying which packages to install: CI installs
// them, so a missing tool is a broken machine, not a reason to skip.
//
// Start stops the KDC and removes its folder when the test ends.
package krbtest
