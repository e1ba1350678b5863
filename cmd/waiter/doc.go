// Command waiter is the production router of Waiter in Go.
//
//	waiter serve [--port 9091] [--data-dir ./waiter-data]
//	             [--scheduler shell|marathon] [--marathon-url URL]
//	             [--config FILE] [--host ADDR] [--router-id ID]
//
// `waiter serve` speaks Waiter's REST API and header conventions, keeps
// tokens and service records in one bbolt file in the data folder, and
// runs services on the scheduler it is given. The YAML file named by
// --config is decoded strictly (unknown keys are errors) and flags
// override it. SIGTERM or SIGINT drains: no new requests, in-flight ones
// finish (bounded), every instance is stopped, the store is closed, and
// the exit status is 0.
//
// This package owns the process: argument dispatch, signals, the real
// clock (the only place real time enters) and the exit code. The wiring
// lives in internal/serve, the driver in internal/router, the
// configuration in internal/config.
package main
