package cli

import (
	"fmt"

	"github.com/waiter-go/waiter/engine"
)

// updateCmd is `waiter update`.
type updateCmd struct {
	Token string `arg:"" optional:"" help:"The token's name (or a \"token\" field in the file)."`
	fieldFlags
	fileFlags
	Unset  []string `placeholder:"FIELD" help:"Remove a field from the token (repeatable)."`
	Admin  bool     `help:"Write in admin mode (update-mode=admin; the router's admins only)."`
	Output string   `placeholder:"FILE" help:"Write the updated token to FILE (JSON, or YAML for .yaml) or - for stdout, and send nothing."`
	clusterFlags
}

// Help is update's detailed help.
func (updateCmd) Help() string {
	return `Reads the token, changes the fields given and writes it back with the ETag it
read (If-Match): if someone changed the token in between, nothing is
written and the command says so (exit 1). A file's fields replace the
token's; flag fields merge into them (env and metadata key by key). The
token must exist: create it with waiter create.

Examples:

    waiter update web --version v2
    waiter update web --env.LOG_LEVEL debug --max-instances 8
    waiter update web --unset maintenance
    waiter update --input web.yaml --cluster dev

Token fields (each is also a flag): ` + fieldNames() + "."
}

// Run runs the command.
func (c *updateCmd) Run(e *env) error {
	file, err := c.fileFlags.read()
	if err != nil {
		return err
	}
	flags, err := fieldsFromFlags(c.Param)
	if err != nil {
		return err
	}
	name, err := tokenName(c.Token, file)
	if err != nil {
		return err
	}
	if len(file) == 0 && len(flags) == 0 && len(c.Unset) == 0 {
		return usagef("nothing to change: give fields as flags (--version v2), a file (--input FILE) or --unset FIELD")
	}
	t, err := c.targets(e)
	if err != nil {
		return err
	}
	f, err := t.oneToken(e, name)
	if err != nil {
		return err
	}
	data := f.token.Data
	for k, v := range file {
		data[k] = v
	}
	data = deepMerge(data, flags)
	for _, k := range c.Unset {
		if _, ok := data[k]; !ok {
			return usagef("--unset %s: token %s has no field %s", k, name, k)
		}
		delete(data, k)
	}
	if c.Output != "" {
		return writeDryRun(e, c.Output, name, data)
	}
	// The token's key order, but a file's env or metadata replaces the
	// token's with its own order.
	order := engine.KeyOrder{}
	for k, keys := range f.token.KeyOrder {
		order[k] = keys
	}
	for k, keys := range c.fileFlags.keyOrder() {
		order[k] = keys
	}
	if err := postToken(e, f.c, name, data, order, f.token.ETag, c.Admin); err != nil {
		return err
	}
	if len(c.Unset) > 0 {
		fmt.Fprintf(e.stdout, "Removed %v.\n", c.Unset)
	}
	return nil
}
