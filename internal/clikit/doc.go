// Package clikit is what every binary of the tree (waiter, waiter-sim,
// kitchen) shares about its command line, built on
// github.com/alecthomas/kong: one way to parse (help and --version exit 0,
// a usage error exits 2 with a pointer to the command's --help), the
// version string from the build information (module version and VCS
// commit), the --log-format and --log-level flags that make a
// *slog.Logger, and shell completion through
// github.com/willabides/kongplete.
//
// It owns no command: each binary declares its own and runs them.
package clikit
