// Package acceptance runs Waiter's integration tests (reference section 11,
// waiter/integration/waiter/*.clj) against the real binaries: TestMain
// builds `waiter` and `kitchen` once, starts `waiter serve` on 127.0.0.1
// with a temporary data folder, the jwt authenticator (the harness issues
// the tokens and writes the key set) and a configuration with short
// intervals, and every test drives it over HTTP, authenticated by a bearer
// token for the OS user, exactly as Waiter's client tools do
// (on-the-fly kitchen services, x-waiter-debug headers, /apps and /state
// polled with a deadline instead of sleeps).
//
// The tests share one router per test binary, so that they can run in
// parallel; a test that must own a router (graceful shutdown) starts its
// own. Each test deletes the services and tokens it made; TestMain
// stops the router with SIGTERM at the end and fails the run if it does
// not exit 0 or if any process it started is still alive.
//
// Files: main_test.go (TestMain), build_test.go (go build), router_test.go
// (starting and stopping `waiter serve`), auth_test.go (the token issuer
// and the authentication tests), procs_test.go (finding leftover
// processes in /proc), client_test.go (HTTP), waiter_test.go,
// apps_client_test.go and token_client_test.go (Waiter's client tools:
// kitchen requests, /apps, /token, clean-ups, waits); every other
// *_test.go file holds the tests of one of Waiter's integration files or
// tests.
package acceptance
