package clikit

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
)

// CompletionCmd prints the shell code that completes a binary's commands,
// flags and flag values. The binary itself answers the shell's questions
// (kongplete reads COMP_LINE), so the script is one line for bash.
type CompletionCmd struct {
	Shell string `arg:"" enum:"bash,zsh,fish" help:"The shell: bash, zsh or fish."`
}

// Help is the command's detailed help.
func (c *CompletionCmd) Help() string {
	return `Load the completions into the running shell, or add the line to its start-up file:

    source <(waiter completion bash)          # bash, or ~/.bashrc
    source <(waiter completion zsh)           # zsh, or ~/.zshrc
    waiter completion fish | source           # fish, or ~/.config/fish/config.fish

(Replace waiter with waiter-sim or kitchen for those binaries.)`
}

// Print writes the script for the binary named name; bin is its path
// (the running executable when empty).
func (c *CompletionCmd) Print(w io.Writer, name, bin string) error {
	if bin == "" {
		exe, err := os.Executable()
		if err != nil {
			return fmt.Errorf("completion: find this executable: %w", err)
		}
		if bin, err = filepath.Abs(exe); err != nil {
			return fmt.Errorf("completion: find this executable: %w", err)
		}
	}
	script, err := CompletionScript(c.Shell, name, bin)
	if err != nil {
		return err
	}
	_, err = io.WriteString(w, script)
	return err
}

// CompletionScript is the shell code that asks bin to complete name.
func CompletionScript(shell, name, bin string) (string, error) {
	q := shellQuote(bin)
	switch shell {
	case "bash":
		return fmt.Sprintf("complete -C %s %s\n", q, name), nil
	case "zsh":
		return fmt.Sprintf("autoload -U +X bashcompinit && bashcompinit\ncomplete -C %s %s\n", q, name), nil
	case "fish":
		fn := "__complete_" + strings.ReplaceAll(name, "-", "_")
		return fmt.Sprintf(`function %[1]s
    set -lx COMP_LINE (commandline -cp)
    test -z (commandline -ct)
    and set COMP_LINE "$COMP_LINE "
    %[2]s
end
complete -f -c %[3]s -a "(%[1]s)"
`, fn, q, name), nil
	}
	return "", fmt.Errorf("completion: unknown shell %q (want bash, zsh or fish)", shell)
}

// shellQuote quotes s for sh-like shells when it needs it.
func shellQuote(s string) string {
	if s != "" && strings.Trim(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789/._-+:") == "" {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}
