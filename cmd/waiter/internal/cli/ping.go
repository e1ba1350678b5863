package cli

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/waiter-go/waiter/cmd/waiter/internal/client"
)

// pingCmd is `waiter ping`.
type pingCmd struct {
	Token   string        `arg:"" help:"The token whose service to ping."`
	Timeout time.Duration `default:"5m" help:"How long to wait for the service to start and answer."`
	NoWait  bool          `help:"Start the service and return without waiting for it to answer (success if it is starting)."`
	JSON    bool          `name:"json" help:"Print the router's answer as JSON."`
	clusterFlags
}

// Help is ping's detailed help.
func (pingCmd) Help() string {
	return `Asks the router holding the token to start its service if none runs and to
health-check one instance (Waiter's /waiter-ping). Exit 0 when the health
check answered 200; 1 when it answered anything else, the router refused, or
the wait timed out.

Examples:

    waiter ping web
    waiter ping web --timeout 30s --json
    waiter ping web --no-wait          # start it in the background`
}

// Run runs the command.
func (c *pingCmd) Run(e *env) error {
	if c.Timeout <= 0 {
		return usagef("--timeout must be positive (got %s)", c.Timeout)
	}
	t, err := c.targets(e)
	if err != nil {
		return err
	}
	f, err := t.oneToken(e, c.Token)
	if err != nil {
		return err
	}
	if !c.JSON {
		fmt.Fprintf(e.stdout, "Pinging token %s on %s...\n", c.Token, f.c.Name())
	}
	ok, err := ping(e, f.c, c.Token, c.Timeout, !c.NoWait, c.JSON)
	if err != nil {
		return err
	}
	if !ok {
		return &failure{code: exitFailed}
	}
	return nil
}

// ping pings a token and tells the outcome; ok is a 200 from the service
// (or, without wait, a service on its way).
func ping(e *env, c *client.Client, token string, timeout time.Duration, wait, asJSON bool) (bool, error) {
	limit := timeout
	if !wait {
		limit = min(timeout, 5*time.Second) // long enough to start it
	}
	ctx, cancel := context.WithTimeout(e.ctx, limit+10*time.Second)
	defer cancel()
	res, err := c.Ping(ctx, token, limit)
	if err != nil {
		return false, err
	}
	if asJSON {
		if err := printJSON(e.stdout, res); err != nil {
			return false, err
		}
	}
	pr, _ := res["ping-response"].(map[string]any)
	status := text(get(res, "service-state", "status"))
	service := text(get(res, "service-state", "service-id"))
	say := func(format string, args ...any) {
		if !asJSON {
			fmt.Fprintf(e.stdout, format, args...)
		}
	}
	fail := func(format string, args ...any) {
		fmt.Fprintf(e.stderr, format, args...)
	}
	switch text(pr["result"]) {
	case "received-response":
		if code := text(pr["status"]); code == "200" {
			say("Ping successful: 200 from instance %s. Service %s is %s.\n", text(get(pr, "instance", "id")), service, status)
			return true, nil
		} else {
			fail("Ping failed: the service's health check answered %s: %s\n", code, firstLine(text(pr["body"])))
		}
	case "timed-out":
		if !wait {
			say("Service %s is %s; not waiting for it (--no-wait).\n", service, status)
			return true, nil
		}
		fail("Ping timed out after %s: service %s is %s. Look at its instances with waiter show %s.\n", timeout, service, status, token)
	case "waiter-response":
		fail("Ping failed: the router answered %s: %s\n", text(pr["status"]), firstLine(text(pr["body"])))
	default:
		fail("Ping failed: unknown ping result %q\n", text(pr["result"]))
	}
	return false, nil
}

func firstLine(s string) string {
	l, _, _ := strings.Cut(strings.TrimSpace(s), "\n")
	return l
}
