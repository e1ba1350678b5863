// Package cli is the `waiter` command line (kong, through
// internal/clikit): `waiter serve`, the router, and the commands that talk
// to routers the way Waiter's own CLI (twosigma/waiter, cli/) does:
// create, update, show, tokens, ping, kill, delete, maintenance and init.
// Each command has its own --help with examples, --json for scripts and
// tables for people, and documented exit statuses: 0 done, 1 the router
// refused or the answer is no, 2 a wrong command line or configuration,
// 3 a cluster could not be reached.
//
// It owns argument handling, choosing clusters, the output, and the
// order of API calls (read a token's ETag, then write with If-Match);
// internal/client owns the HTTP, internal/clusters the configuration
// file, internal/serve the router.
package cli
