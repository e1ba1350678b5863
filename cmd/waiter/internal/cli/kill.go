package cli

import (
	"fmt"
	"sort"
	"time"

	"github.com/waiter-go/waiter/cmd/waiter/internal/client"
)

// killCmd is `waiter kill`.
type killCmd struct {
	Token     string        `arg:"" optional:"" help:"The token whose services to stop."`
	ServiceID string        `name:"service-id" short:"s" placeholder:"ID" help:"Stop this one service instead of a token's."`
	Force     bool          `short:"f" help:"Stop every service of the token when there are several."`
	Timeout   time.Duration `default:"30s" help:"How long the router may take to stop a service."`
	JSON      bool          `name:"json" help:"Print what was stopped as JSON."`
	clusterFlags
}

// Help is kill's detailed help.
func (killCmd) Help() string {
	return `Stops services and all their instances (DELETE /apps/ID). By token: every
service the token started on every cluster; when there are several, --force
is needed (or pick one with --service-id). The token stays: the next request
starts the service again. Exit 1 when there was nothing to stop or a stop
failed.

Examples:

    waiter kill web
    waiter kill web --force
    waiter kill --service-id waiter-service-web-1a2b3c`
}

// killed is one stopped service, for --json.
type killed struct {
	Cluster   string         `json:"cluster"`
	ServiceID string         `json:"service-id"`
	Result    map[string]any `json:"result"`
}

// Run runs the command.
func (c *killCmd) Run(e *env) error {
	if (c.Token == "") == (c.ServiceID == "") {
		return usagef("name a token (waiter kill TOKEN) or a service (--service-id ID), not both")
	}
	t, err := c.targets(e)
	if err != nil {
		return err
	}
	type victim struct {
		c       *client.Client
		id      string
		status  string
		lastReq string
	}
	var victims []victim
	for _, cl := range t.clients {
		if c.ServiceID != "" {
			s, err := cl.Service(e.ctx, c.ServiceID)
			if client.IsNotFound(err) {
				continue
			}
			if err != nil {
				return err
			}
			victims = append(victims, victim{cl, c.ServiceID, text(s["status"]), text(s["last-request-time"])})
			continue
		}
		list, err := cl.Services(e.ctx, c.Token)
		if err != nil {
			return err
		}
		for _, s := range list {
			victims = append(victims, victim{cl, text(s["service-id"]), text(s["status"]), text(s["last-request-time"])})
		}
	}
	what := "token " + c.Token
	if c.ServiceID != "" {
		what = "service " + c.ServiceID
	}
	if len(victims) == 0 {
		fmt.Fprintf(e.stderr, "No running service for %s on %s.\n", what, t.names())
		return &failure{code: exitFailed}
	}
	// Most recently used first, as Waiter's CLI does.
	sort.SliceStable(victims, func(i, j int) bool { return victims[i].lastReq > victims[j].lastReq })
	if len(victims) > 1 && !c.Force {
		fmt.Fprintf(e.stderr, "%d services use %s:\n", len(victims), what)
		for _, v := range victims {
			fmt.Fprintf(e.stderr, "  %s on %s (%s)\n", v.id, v.c.Name(), v.status)
		}
		fmt.Fprintln(e.stderr, "Stop them all with --force, or one with --service-id ID.")
		return &failure{code: exitFailed}
	}
	var done []killed
	failed := false
	for _, v := range victims {
		if !c.JSON {
			fmt.Fprintf(e.stdout, "Killing service %s on %s...\n", v.id, v.c.Name())
		}
		res, err := v.c.DeleteService(e.ctx, v.id, c.Timeout)
		if err != nil {
			fmt.Fprintf(e.stderr, "Could not kill %s: %v\n", v.id, err)
			failed = true
			continue
		}
		done = append(done, killed{Cluster: v.c.Name(), ServiceID: v.id, Result: res})
		if !c.JSON {
			fmt.Fprintf(e.stdout, "Killed %s on %s.\n", v.id, v.c.Name())
		}
	}
	if c.JSON {
		if err := printJSON(e.stdout, done); err != nil {
			return err
		}
	}
	if failed {
		return &failure{code: exitFailed}
	}
	return nil
}
