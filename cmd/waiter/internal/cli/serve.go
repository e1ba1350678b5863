package cli

import (
	"github.com/benbjohnson/clock"
	"github.com/waiter-go/waiter/cmd/waiter/internal/config"
	"github.com/waiter-go/waiter/cmd/waiter/internal/serve"
	"github.com/waiter-go/waiter/internal/clikit"
	"github.com/waiter-go/waiter/internal/stopsig"
)

// serveCmd is `waiter serve`: the router.
type serveCmd struct {
	config.Flags `embed:""`
}

// Help is serve's detailed help.
func (serveCmd) Help() string {
	return `Serves Waiter's REST API and proxies requests to services it starts on
demand. With no configuration it listens on 127.0.0.1:9091, runs services as
local processes and keeps tokens and service records in one bbolt file,
<data-dir>/waiter.db; the --config file is strict YAML, and flags override it.
SIGTERM or SIGINT drains: no new requests, in-flight ones finish (bounded by
drain-timeout), every instance stops; then the exit status is 0.

Examples:

    waiter serve
    waiter serve --port 9091 --data-dir ./waiter-data --access-log stderr
    waiter serve --config waiter.yaml --log-format json --log-level debug
    waiter serve --scheduler marathon --marathon-url http://127.0.0.1:8080
    waiter serve --host 0.0.0.0 --authenticator jwt --jwt-jwks-url https://issuer/jwks.json
    waiter serve --cluster zookeeper --zk-connect zk1:2181,zk2:2181,zk3:2181 --router-id r1`
}

// Run runs the router until a signal.
func (c *serveCmd) Run(e *env) error {
	cfg, err := c.Resolve()
	if err != nil {
		return usagef("%v", err)
	}
	signals := e.signals
	if signals == nil {
		signals = stopsig.Context
	}
	ctx, stop := signals()
	defer stop()
	log := clikit.LogFlags{LogFormat: cfg.LogFormat, LogLevel: cfg.LogLevel}.Logger(e.stderr)
	return serve.Run(ctx, serve.Options{Config: cfg, Clock: clock.New(), Ready: e.serveReady, Logger: log, GCFloor: true})
}
