package cli

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/user"
)

// initCmd is `waiter init`.
type initCmd struct {
	File  string `short:"F" default:"token.json" placeholder:"FILE" help:"The file to write (JSON; YAML when it ends in .yaml or --yaml)."`
	Force bool   `short:"f" help:"Overwrite the file if it exists."`
	YAML  bool   `name:"yaml" help:"Write YAML whatever the file's name."`
	fieldFlags
}

// Help is init's detailed help.
func (initCmd) Help() string {
	return `Writes a token file with Waiter's starting values (Waiter's CLI's: a name,
a command, 0.1 CPUs, 2 GiB, a health check, you as run-as-user) overridden by
any field flags; edit it, then create the token from it.

Examples:

    waiter init --name web --cmd 'kitchen -p $PORT0' --version v1 --health-check-url /status
    waiter create web --input token.json
    waiter init --file web.yaml --mem 512

Token fields (each is also a flag): ` + fieldNames() + "."
}

// initDefaults are the fields Waiter's `waiter init` starts from.
func initDefaults(getenv func(string) string) map[string]any {
	me := getenv("USER")
	if u, err := user.Current(); err == nil {
		me = u.Username
	}
	return map[string]any{
		"name": "your-app-name", "metric-group": "your-metric-group", "cmd": "your command",
		"version": "your version", "cpus": 0.1, "mem": 2048.0, "health-check-url": "/your-health-check-endpoint",
		"concurrency-level": 120.0, "permitted-user": "*", "run-as-user": me,
	}
}

// Run runs the command.
func (c *initCmd) Run(e *env) error {
	flags, err := fieldsFromFlags(c.Param)
	if err != nil {
		return err
	}
	if _, err := os.Stat(c.File); err == nil && !c.Force {
		return usagef("%s exists; overwrite it with --force", c.File)
	} else if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("init: %w", err)
	}
	if err := writeTokenFile(c.File, deepMerge(initDefaults(e.getenv), flags), c.YAML); err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "Wrote %s: edit it, then run waiter create NAME --input %s\n", c.File, c.File)
	return nil
}
