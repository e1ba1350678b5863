package cli

import (
	"fmt"
	"os/user"
	"sort"
	"time"
)

// tokensCmd is `waiter tokens`.
type tokensCmd struct {
	User string `short:"u" placeholder:"USER" help:"List the tokens this user owns (default: you)."`
	All  bool   `help:"List every owner's tokens."`
	formatFlags
	clusterFlags
}

// Help is tokens' detailed help.
func (tokensCmd) Help() string {
	return `Lists tokens with their cluster, owner, maintenance mode and last update.
--json prints {"clusters": {NAME: {"tokens": [...]}}, "count": N}. Exit 1 when
there is none.

Examples:

    waiter tokens
    waiter tokens --user alice --cluster dev
    waiter tokens --all --json | jq -r '.clusters[].tokens[].token'`
}

// Run runs the command.
func (c *tokensCmd) Run(e *env) error {
	owner := c.User
	if c.All {
		if owner != "" {
			return usagef("give --user or --all, not both")
		}
	} else if owner == "" {
		if owner = e.getenv("USER"); owner == "" {
			if u, err := user.Current(); err == nil {
				owner = u.Username
			}
		}
	}
	t, err := c.targets(e)
	if err != nil {
		return err
	}
	type row struct{ cluster, owner, token, maint, updated string }
	var rows []row
	byCluster := map[string]any{}
	count := 0
	for _, cl := range t.clients {
		list, err := cl.ListTokens(e.ctx, owner)
		if err != nil {
			return err
		}
		if len(list) == 0 {
			continue
		}
		count += len(list)
		byCluster[cl.Name()] = map[string]any{"tokens": list}
		for _, tok := range list {
			maint := "no"
			if tok["maintenance"] == true {
				maint = "yes"
			}
			rows = append(rows, row{cl.Name(), text(tok["owner"]), text(tok["token"]), maint, when(tok["last-update-time"], time.Now())})
		}
	}
	if c.machine() {
		if err := c.print(e.stdout, map[string]any{"clusters": byCluster, "count": count}); err != nil {
			return err
		}
	} else if count > 0 {
		sort.Slice(rows, func(i, j int) bool {
			if rows[i].token != rows[j].token {
				return rows[i].token < rows[j].token
			}
			return rows[i].cluster < rows[j].cluster
		})
		tb := newTable(e.stdout, "CLUSTER", "OWNER", "TOKEN", "MAINTENANCE", "UPDATED")
		for _, r := range rows {
			tb.row(r.cluster, r.owner, r.token, r.maint, r.updated)
		}
		tb.flush()
	}
	if count == 0 {
		if !c.machine() {
			who := "owned by " + owner
			if owner == "" {
				who = "at all"
			}
			fmt.Fprintf(e.stderr, "There are no tokens %s on %s.\n", who, t.names())
		}
		return &failure{code: exitFailed}
	}
	return nil
}
