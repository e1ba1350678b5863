// Package config owns the settings of `waiter serve`: the YAML file
// (decoded strictly, so a misspelt key is an error rather than a silently
// ignored setting), the command-line flags that override it, defaults, and
// validation, including the authentication settings and the bind rule: a
// router listens on 127.0.0.1 unless told otherwise, and anywhere else
// only with a real authenticator or an explicit insecure-allow-anyone
// (auth.go). The jwt and kerberos blocks are checked by their adapters'
// own rules. It has no side effects: reading the file is the caller's
// choice of path, and nothing here touches the network or the clock.
package config
