package cli

import (
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/waiter-go/waiter/cmd/waiter/internal/client"
)

// showCmd is `waiter show`.
type showCmd struct {
	Token      string `arg:"" help:"The token's name."`
	NoServices bool   `help:"Leave out the services the token started."`
	formatFlags
	clusterFlags
}

// Help is show's detailed help.
func (showCmd) Help() string {
	return `Shows the token on every cluster that has it: its fields, when and by whom it
was last changed, and the services it started (status, instances, whether
each runs the token's current version). --json prints
{"clusters": {NAME: {"token": ..., "etag": ..., "services": [...]}}, "count": N}.
Exit 1 when no cluster has the token.

Examples:

    waiter show web
    waiter show web --json | jq '.clusters[].token.version'
    waiter show web --cluster dev --no-services`
}

// tokenView is one cluster's answer, as --json prints it.
type tokenView struct {
	Token    map[string]any   `json:"token" yaml:"token"`
	ETag     string           `json:"etag" yaml:"etag"`
	Services []map[string]any `json:"services,omitempty" yaml:"services,omitempty"`
}

// Run runs the command.
func (c *showCmd) Run(e *env) error {
	t, err := c.targets(e)
	if err != nil {
		return err
	}
	all, err := t.findToken(e, c.Token, true)
	if err != nil {
		return err
	}
	views := map[string]tokenView{}
	var order []*client.Client
	for _, f := range all {
		v := tokenView{Token: f.token.Data, ETag: f.token.ETag}
		if !c.NoServices {
			if v.Services, err = f.c.Services(e.ctx, c.Token); err != nil {
				return err
			}
		}
		views[f.c.Name()] = v
		order = append(order, f.c)
	}
	if c.machine() {
		if err := c.print(e.stdout, map[string]any{"clusters": views, "count": len(all)}); err != nil {
			return err
		}
	} else {
		for i, cl := range order {
			if i > 0 {
				fmt.Fprintln(e.stdout)
			}
			printToken(e, cl.Name(), c.Token, views[cl.Name()], !c.NoServices)
		}
	}
	if len(all) == 0 {
		if !c.machine() {
			fmt.Fprintf(e.stderr, "There is no token %s on %s. Do you need another cluster (--cluster, --url)?\n", c.Token, t.names())
		}
		return &failure{code: exitFailed}
	}
	return nil
}

// shown are the fields printToken puts first, in this order, with their
// labels; the rest follow by name.
var shown = []struct{ key, label string }{
	{"owner", "Owner"}, {"name", "Name"}, {"version", "Version"}, {"cpus", "CPUs"}, {"mem", "Memory (MiB)"},
	{"cmd-type", "Command type"}, {"health-check-url", "Health check"}, {"run-as-user", "Run as user"},
	{"permitted-user", "Permitted user"}, {"min-instances", "Min instances"}, {"max-instances", "Max instances"},
	{"concurrency-level", "Concurrency"}, {"cluster", "Written on cluster"},
}

// skipped are fields shown elsewhere or not for people.
var skipped = map[string]bool{"cmd": true, "env": true, "previous": true, "root": true,
	"last-update-time": true, "last-update-user": true, "maintenance": true}

func printToken(e *env, cluster, name string, v tokenView, services bool) {
	w := e.stdout
	tok := v.Token
	fmt.Fprintf(w, "=== %s / %s ===\n\n", cluster, name)
	if lu := tok["last-update-time"]; lu != nil {
		by := ""
		if u, ok := tok["last-update-user"].(string); ok {
			by = " by " + u
		}
		fmt.Fprintf(w, "Last updated %s%s\n", when(lu, time.Now()), by)
	}
	if m := get(tok, "maintenance", "message"); m != nil {
		fmt.Fprintf(w, "IN MAINTENANCE: requests get 503 %q\n", text(m))
	}
	if tok["deleted"] == true {
		fmt.Fprintln(w, "DELETED")
	}
	fmt.Fprintln(w)
	tb := newTable(w)
	done := map[string]bool{"deleted": true}
	for _, s := range shown {
		if val, ok := tok[s.key]; ok {
			tb.row(s.label, text(val))
			done[s.key] = true
		}
	}
	var rest []string
	for k := range tok {
		if !done[k] && !skipped[k] {
			rest = append(rest, k)
		}
	}
	sort.Strings(rest)
	for _, k := range rest {
		tb.row(k, text(tok[k]))
	}
	tb.flush()
	if cmd, ok := tok["cmd"].(string); ok {
		fmt.Fprintf(w, "\nCommand:\n  %s\n", cmd)
	}
	if env, ok := tok["env"].(map[string]any); ok && len(env) > 0 {
		fmt.Fprintln(w, "\nEnvironment:")
		keys := make([]string, 0, len(env))
		for k := range env {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			fmt.Fprintf(w, "  %s=%s\n", k, text(env[k]))
		}
	}
	if !services {
		return
	}
	if len(v.Services) == 0 {
		fmt.Fprintln(w, "\nNo running service uses this token.")
		return
	}
	fmt.Fprintln(w, "\nServices:")
	printServices(e, v.Services, name, v.ETag)
}

// printServices is the services table; current marks those started from
// the token's current version.
func printServices(e *env, services []map[string]any, token, etag string) {
	tb := newTable(e.stdout, "  SERVICE ID", "STATUS", "HEALTHY", "UNHEALTHY", "REQUESTED", "SCALING", "LAST REQUEST", "CURRENT")
	for _, s := range services {
		current := "no"
		if isCurrent(s, token, etag) {
			current = "yes"
		}
		last := "never"
		if lr := s["last-request-time"]; lr != nil {
			last = when(lr, time.Now())
		}
		tb.row("  "+text(s["service-id"]), text(s["status"]), text(get(s, "instance-counts", "healthy-instances")),
			text(get(s, "instance-counts", "unhealthy-instances")), text(get(s, "instance-counts", "requested-instances")),
			text(s["scaling-state"]), last, current)
	}
	tb.flush()
}

// isCurrent reports whether a service was reached through the token's
// current version (its source-tokens name the token with that ETag).
func isCurrent(service map[string]any, token, etag string) bool {
	srcs, _ := service["source-tokens"].([]any)
	for _, s := range srcs {
		if get(s, "token") == token && strings.Trim(text(get(s, "version")), `"`) == strings.Trim(etag, `"`) {
			return true
		}
	}
	return false
}
