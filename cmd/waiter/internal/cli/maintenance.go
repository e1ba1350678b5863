package cli

import (
	"fmt"
	"time"
	"unicode/utf8"
)

// maintenanceCmd is `waiter maintenance start|stop|check`.
type maintenanceCmd struct {
	Start maintenanceStartCmd `cmd:"" help:"Answer the token's requests with 503 and a message; stop its services."`
	Stop  maintenanceStopCmd  `cmd:"" help:"Serve the token's requests again; ping it."`
	Check maintenanceCheckCmd `cmd:"" help:"Exit 0 if the token is in maintenance, 1 if not."`
}

// Help is maintenance's detailed help.
func (maintenanceCmd) Help() string {
	return `A token in maintenance answers every request with 503 and your message, and
starts no service. Each change reads the token and writes it back with its
ETag (If-Match).

Examples:

    waiter maintenance start web "Upgrading the database; back at 14:00"
    waiter maintenance check web && echo "web is down for maintenance"
    waiter maintenance stop web`
}

// maxMaintenanceMessage is Waiter's limit on the message.
const maxMaintenanceMessage = 512

type maintenanceStartCmd struct {
	Token   string        `arg:"" help:"The token."`
	Message string        `arg:"" help:"What requests are told (at most 512 characters)."`
	NoKill  bool          `help:"Leave the token's running services alone."`
	Timeout time.Duration `default:"30s" help:"How long the router may take to stop each service."`
	clusterFlags
}

// Help is maintenance start's detailed help.
func (maintenanceStartCmd) Help() string {
	return `Puts the token in maintenance (its "maintenance" field), then stops its
running services unless --no-kill.

Examples:

    waiter maintenance start web "Upgrading the database; back at 14:00"
    waiter maintenance start web "Read-only today" --no-kill`
}

// Run runs the command.
func (c *maintenanceStartCmd) Run(e *env) error {
	if c.Message == "" || utf8.RuneCountInString(c.Message) > maxMaintenanceMessage {
		return usagef("the message must be 1 to %d characters (got %d)", maxMaintenanceMessage, utf8.RuneCountInString(c.Message))
	}
	t, err := c.targets(e)
	if err != nil {
		return err
	}
	f, err := t.oneToken(e, c.Token)
	if err != nil {
		return err
	}
	data := f.token.Data
	data["maintenance"] = map[string]any{"message": c.Message}
	if err := postToken(e, f.c, c.Token, data, f.token.KeyOrder, f.token.ETag, false); err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "Token %s is in maintenance on %s.\n", c.Token, f.c.Name())
	if c.NoKill {
		return nil
	}
	k := killCmd{Token: c.Token, Force: true, Timeout: c.Timeout, clusterFlags: clusterFlags{URL: f.c.URL()}}
	list, err := f.c.Services(e.ctx, c.Token)
	if err != nil || len(list) == 0 {
		return err // nothing runs: nothing to stop
	}
	return k.Run(e)
}

type maintenanceStopCmd struct {
	Token   string        `arg:"" help:"The token."`
	Ping    bool          `negatable:"" default:"true" help:"Ping the token afterwards, so its service is up (--no-ping: don't)."`
	Timeout time.Duration `default:"5m" help:"How long the ping may wait for the service."`
	Check   bool          `help:"Fail (exit 1) if the token is not in maintenance."`
	clusterFlags
}

// Help is maintenance stop's detailed help.
func (maintenanceStopCmd) Help() string {
	return `Takes the token out of maintenance, then pings it so that its service
starts (--no-ping: don't). Exit 1 if the ping fails, or with --check if the
token was not in maintenance.

Examples:

    waiter maintenance stop web
    waiter maintenance stop web --no-ping --check`
}

// Run runs the command.
func (c *maintenanceStopCmd) Run(e *env) error {
	t, err := c.targets(e)
	if err != nil {
		return err
	}
	f, err := t.oneToken(e, c.Token)
	if err != nil {
		return err
	}
	data := f.token.Data
	if _, on := data["maintenance"]; on {
		delete(data, "maintenance")
		if err := postToken(e, f.c, c.Token, data, f.token.KeyOrder, f.token.ETag, false); err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "Token %s is out of maintenance on %s.\n", c.Token, f.c.Name())
	} else {
		fmt.Fprintf(e.stdout, "Token %s is not in maintenance on %s.\n", c.Token, f.c.Name())
		if c.Check {
			return &failure{code: exitFailed}
		}
	}
	if !c.Ping {
		return nil
	}
	fmt.Fprintf(e.stdout, "Pinging token %s on %s...\n", c.Token, f.c.Name())
	ok, err := ping(e, f.c, c.Token, c.Timeout, true, false)
	if err != nil {
		return err
	}
	if !ok {
		return &failure{code: exitFailed}
	}
	return nil
}

type maintenanceCheckCmd struct {
	Token string `arg:"" help:"The token."`
	clusterFlags
}

// Help is maintenance check's detailed help.
func (maintenanceCheckCmd) Help() string {
	return `Prints the token's maintenance message and exits 0, or exits 1 when it is
not in maintenance: for scripts.

Examples:

    waiter maintenance check web && echo "web is down for maintenance"`
}

// Run runs the command.
func (c *maintenanceCheckCmd) Run(e *env) error {
	t, err := c.targets(e)
	if err != nil {
		return err
	}
	f, err := t.oneToken(e, c.Token)
	if err != nil {
		return err
	}
	if m := get(f.token.Data, "maintenance", "message"); m != nil {
		fmt.Fprintf(e.stdout, "Token %s is in maintenance on %s: %q\n", c.Token, f.c.Name(), text(m))
		return nil
	}
	fmt.Fprintf(e.stdout, "Token %s is not in maintenance on %s.\n", c.Token, f.c.Name())
	return &failure{code: exitFailed}
}
