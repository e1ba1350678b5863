// Package config owns the settings of `waiter serve`: the YAML file
// (decoded strictly, so a misspelt key is an error rather than a silently
// ignored setting), the command-line flags that override it, defaults, and
// validation. It has no side effects: reading the file is the caller's
// choice of path, and nothing here touches the network or the clock.
package config
