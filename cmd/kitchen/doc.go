// Command kitchen is Waiter's test service: a small HTTP server whose
// behaviour (delays, status codes, streamed or broken bodies, crashes) is
// chosen per request by its path and x-kitchen-* headers, so integration
// tests and demos can make a backend misbehave on demand.
//
// It re-implements containers/test-apps/kitchen/bin/kitchen from
// twosigma/waiter with the Go standard library only. This package owns the
// process entry point and nothing else: flag parsing, signal handling and the
// exit code. The behaviour lives in internal/kitchen so that tests can drive
// it in-process.
//
// Usage:
//
//	kitchen [-p PORT] [--host HOST] [--start-up-sleep-ms N]
//	        [--enable-status-change] [--log-output stdout|stderr|file]
//	        [--log-format text|json] [--log-level debug|info|warn|error]
//	        [--keep-alive]
//	kitchen completion bash|zsh|fish
//	kitchen --version
//
// The port defaults to $PORT0 (what Waiter's schedulers hand an instance),
// else 8080; the address to 127.0.0.1 (the original bound every interface:
// --host "" still does). The server stops cleanly on SIGINT or SIGTERM. Like the
// original, every response says Connection: close; --keep-alive (not in the
// original) lets clients reuse connections, for benchmarks of the proxies
// in front of it.
package main
