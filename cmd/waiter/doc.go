// Command waiter is the production router of Waiter in Go and the
// command line Waiter's users talk to routers with.
//
//	waiter serve [--port 9091] [--data-dir ./waiter-data]
//	             [--scheduler shell|marathon|kubernetes] [--marathon-url URL]
//	             [--kubeconfig FILE] [--namespace NS]
//	             [--config FILE] [--host ADDR] [--router-id ID]
//	             [--log-format text|json] [--log-level LEVEL] [--access-log FILE]
//	             [--cluster zookeeper --zk-connect HOST:PORT[,..] --cluster-secret-file FILE [--zk-base-path P] [--min-routers N]]
//	waiter create|update|show|tokens|delete|init|ping|kill|maintenance ...
//	waiter --version | waiter help COMMAND | waiter completion bash
//
// `waiter serve` speaks Waiter's REST API and header conventions, keeps
// tokens and service records in one bbolt file in the data folder, and
// runs services on the scheduler it is given. The YAML file named by
// --config is decoded strictly (unknown keys are errors) and flags
// override it. SIGTERM or SIGINT drains: no new requests, in-flight ones
// finish (bounded), every instance is stopped, the store is closed, and
// the exit status is 0; repeats of the signal meanwhile change nothing.
// The other commands are Waiter's CLI's (see
// internal/cli).
//
// This package owns the process: it hands the arguments, the standard
// streams and the environment to internal/cli and exits with its status.
// The command line lives in internal/cli, the wiring in internal/serve,
// the driver in internal/router, the configuration in internal/config.
package main
