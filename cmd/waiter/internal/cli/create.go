package cli

import (
	"encoding/json"
	"fmt"

	"github.com/waiter-go/waiter/cmd/waiter/internal/client"
	"github.com/waiter-go/waiter/engine"
)

// fieldFlags are the token fields a command takes as flags.
type fieldFlags struct {
	Param []string `sep:"none" placeholder:"NAME=VALUE" help:"Set a token field (repeatable). Any field also works as its own flag: --cmd 'kitchen -p $$PORT0', --cpus 0.1, --mem 256, --version v1, --env.FOO bar, --metadata.team web."`
}

// createCmd is `waiter create`.
type createCmd struct {
	Token string `arg:"" optional:"" help:"The token's name (or a \"token\" field in the file)."`
	fieldFlags
	fileFlags
	Admin  bool   `help:"Write in admin mode (update-mode=admin; the router's admins only)."`
	Output string `placeholder:"FILE" help:"Write the token that would be sent to FILE (JSON, or YAML for .yaml) or - for stdout, and send nothing."`
	clusterFlags
}

// Help is create's detailed help.
func (createCmd) Help() string {
	return `Writes the token with exactly the fields given: a token of that name is
replaced (fields not given are dropped; to change a few fields use waiter
update). Fields come from a file (--input, --json, --yaml) and from flags,
which win. With several clusters enabled, a new token goes to the one marked
default-for-create, an existing one stays where it is. The write carries the
ETag read just before (If-Match), so a token changed meanwhile is not
overwritten: the command fails with 412 and says so.

Examples:

    waiter create web --cmd 'kitchen -p $PORT0' --cpus 0.1 --mem 256 --version v1 --cmd-type shell
    waiter create --input web.yaml
    waiter create web --input web.json --env.LOG_LEVEL debug --max-instances 4
    waiter create web --cmd 'kitchen -p $PORT0' --cpus 0.1 --mem 256 --version v1 --output -

Token fields (each is also a flag): ` + fieldNames() + "."
}

// Run runs the command.
func (c *createCmd) Run(e *env) error {
	data, err := c.fileFlags.read()
	if err != nil {
		return err
	}
	flags, err := fieldsFromFlags(c.Param)
	if err != nil {
		return err
	}
	data = deepMerge(data, flags)
	name, err := tokenName(c.Token, data)
	if err != nil {
		return err
	}
	if len(data) == 0 {
		return usagef("%v", errNoFields)
	}
	if c.Output != "" {
		return writeDryRun(e, c.Output, name, data)
	}
	t, err := c.targets(e)
	if err != nil {
		return err
	}
	target, etag, err := t.createTarget(e, name)
	if err != nil {
		return err
	}
	return postToken(e, target, name, data, c.fileFlags.keyOrder(), etag, c.Admin)
}

// createTarget is where a new or replaced token goes: the chosen cluster;
// the one cluster holding it; the only enabled cluster; or the one marked
// default-for-create. It also returns the ETag of the version replaced.
func (t *targets) createTarget(e *env, name string) (*client.Client, string, error) {
	if t.explicit || len(t.clients) == 1 {
		c := t.clients[0]
		tok, err := c.GetToken(e.ctx, name, false)
		switch {
		case client.IsNotFound(err):
			return c, "", nil
		case err != nil:
			return nil, "", err
		}
		return c, tok.ETag, nil
	}
	all, err := t.findToken(e, name, false)
	if err != nil {
		return nil, "", err
	}
	switch {
	case len(all) == 1:
		return all[0].c, all[0].token.ETag, nil
	case len(all) > 1:
		return nil, "", usagef("token %s is on several clusters; pick one with --cluster", name)
	case t.defaultForCreate != nil:
		return t.defaultForCreate, "", nil
	}
	return nil, "", usagef("several clusters are enabled (%s): pick one with --cluster, or mark one default-for-create: true", t.names())
}

// postToken writes the token, its env and metadata keys in order (the
// service id depends on it), and reports what the router did.
func postToken(e *env, c *client.Client, name string, data map[string]any, order engine.KeyOrder, etag string, admin bool) error {
	if e.beforeWrite != nil {
		e.beforeWrite()
	}
	res, err := c.PostToken(e.ctx, name, data, order, etag, admin)
	if client.IsStale(err) {
		fmt.Fprintf(e.stderr, "Token %s changed on %s after it was read (someone else wrote it): nothing was written. "+
			"Run the command again to apply it to the new version.\n", name, c.Name())
		return &failure{code: exitFailed}
	}
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "%s on %s.\n", res.Message, c.Name())
	return nil
}

// writeDryRun shows the token that would be sent, sending nothing.
func writeDryRun(e *env, out, name string, data map[string]any) error {
	if out == "-" {
		body := deepMerge(data, map[string]any{"token": name})
		b, err := json.MarshalIndent(body, "", "  ")
		if err != nil {
			return fmt.Errorf("encode the token: %w", err)
		}
		_, err = fmt.Fprintf(e.stdout, "%s\n", b)
		return err
	}
	if err := writeTokenFile(out, deepMerge(data, map[string]any{"token": name}), false); err != nil {
		return err
	}
	fmt.Fprintf(e.stderr, "Wrote token %s to %s (nothing was sent).\n", name, out)
	return nil
}
