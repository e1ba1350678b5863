package cli

import (
	"fmt"

	"github.com/waiter-go/waiter/cmd/waiter/internal/client"
)

// deleteCmd is `waiter delete`.
type deleteCmd struct {
	Token string `arg:"" help:"The token to delete."`
	Force bool   `short:"f" help:"Delete it on every cluster that has it."`
	Hard  bool   `help:"Delete it with its history instead of marking it deleted (the router's admins only)."`
	clusterFlags
}

// Help is delete's detailed help.
func (deleteCmd) Help() string {
	return `Deletes the token: by default softly (kept, marked deleted, so its history
stays), with --hard for good. A token whose services still run is not
deleted: stop them first with waiter kill. The delete carries the ETag just
read (If-Match), so a token changed meanwhile is not deleted.

Examples:

    waiter delete web
    waiter kill web --force && waiter delete web
    waiter delete web --force          # on every cluster that has it`
}

// Run runs the command.
func (c *deleteCmd) Run(e *env) error {
	t, err := c.targets(e)
	if err != nil {
		return err
	}
	all, err := t.findToken(e, c.Token, false)
	if err != nil {
		return err
	}
	switch {
	case len(all) == 0:
		fmt.Fprintf(e.stderr, "There is no token %s on %s.\n", c.Token, t.names())
		return &failure{code: exitFailed}
	case len(all) > 1 && !c.Force:
		return usagef("token %s is on %d clusters: pick one with --cluster, or delete it everywhere with --force", c.Token, len(all))
	}
	failed := false
	for _, f := range all {
		services, err := f.c.Services(e.ctx, c.Token)
		if err != nil {
			return err
		}
		if len(services) > 0 {
			fmt.Fprintf(e.stderr, "%d service(s) use token %s on %s:\n", len(services), c.Token, f.c.Name())
			for _, s := range services {
				fmt.Fprintf(e.stderr, "  %s (%s)\n", text(s["service-id"]), text(s["status"]))
			}
			fmt.Fprintf(e.stderr, "Stop them first: waiter kill %s --force --cluster %s\n", c.Token, f.c.Name())
			failed = true
			continue
		}
		if e.beforeWrite != nil {
			e.beforeWrite()
		}
		err = f.c.DeleteToken(e.ctx, c.Token, f.token.ETag, c.Hard)
		switch {
		case err == nil:
			fmt.Fprintf(e.stdout, "Deleted token %s on %s.\n", c.Token, f.c.Name())
		case client.IsStale(err):
			fmt.Fprintf(e.stderr, "Token %s changed on %s after it was read: not deleted. Look at it (waiter show %s) and run the command again.\n",
				c.Token, f.c.Name(), c.Token)
			failed = true
		default:
			return err
		}
	}
	if failed {
		return &failure{code: exitFailed}
	}
	return nil
}
