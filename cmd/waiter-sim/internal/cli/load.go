package cli

import (
	"errors"
	"regexp"
	"strconv"
	"strings"

	"github.com/waiter-go/waiter/sim/scenario"
)

// load reads a scenario. Its errors name file:line (exit 2).
func load(path string) (*scenario.Scenario, error) {
	sc, err := scenario.Load(path)
	if err != nil {
		return nil, withLines(err)
	}
	return sc, nil
}

// yamlLine matches the line numbers the YAML decoder writes into its
// messages: "yaml: line 3: did not find expected key" and, one per
// problem, "  line 8: field colour not found in type scenario.Service".
var yamlLine = regexp.MustCompile(`^\s*(?:yaml: )?line (\d+): (.*)$`)

// lineError is a scenario error rewritten with one located message per
// problem.
type lineError struct {
	msg string
	err error
}

func (e *lineError) Error() string { return e.msg }
func (e *lineError) Unwrap() error { return e.err }

// withLines moves line numbers that the scenario package leaves inside a
// decoder message (its Error has no Line then) into the file:line prefix,
// so every scenario error reads the same way and editors can jump to it.
func withLines(err error) error {
	var se *scenario.Error
	if !errors.As(err, &se) || se.Line > 0 {
		return err
	}
	var out []string
	for _, l := range strings.Split(se.Msg, "\n") {
		if m := yamlLine.FindStringSubmatch(l); m != nil {
			n, _ := strconv.Atoi(m[1])
			out = append(out, (&scenario.Error{File: se.File, Line: n, Msg: m[2]}).Error())
		}
	}
	if len(out) == 0 {
		return err
	}
	return &lineError{msg: strings.Join(out, "\n"), err: err}
}
