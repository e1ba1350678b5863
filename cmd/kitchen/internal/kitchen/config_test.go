package kitchen

import (
	"bytes"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/waiter-go/waiter/internal/clikit"
)

func env(kv map[string]string) func(string) string {
	return func(k string) string { return kv[k] }
}

// defaults is what an empty command line gives, but for the port.
func defaults(port int) Config {
	return Config{Host: DefaultHost, Port: port, LogOutput: "stdout", Log: clikit.LogFlags{LogFormat: "text", LogLevel: "info"}}
}

func TestParseCommandLine(t *testing.T) {
	with := func(port int, f func(*Config)) Config {
		c := defaults(port)
		f(&c)
		return c
	}
	for _, tc := range []struct {
		name string
		args []string
		env  map[string]string
		want Config
	}{
		{"defaults: loopback only", nil, nil, defaults(8080)},
		{"PORT0 is the default port", nil, map[string]string{"PORT0": "31001"}, defaults(31001)},
		{"-p beats PORT0", []string{"-p", "9000"}, map[string]string{"PORT0": "31001"}, defaults(9000)},
		{"--port", []string{"--port=9001"}, nil, defaults(9001)},
		{"--host", []string{"--host", "0.0.0.0"}, nil, with(8080, func(c *Config) { c.Host = "0.0.0.0" })},
		{"--hostname, the original's name", []string{"--hostname", "::1"}, nil, with(8080, func(c *Config) { c.Host = "::1" })},
		{"every interface when told", []string{"--host="}, nil, with(8080, func(c *Config) { c.Host = "" })},
		{"everything", []string{"-p", "0", "--start-up-sleep-ms", "1500", "--enable-status-change", "--log-output", "stderr",
			"--keep-alive", "--log-format", "json", "--log-level", "debug"}, nil,
			Config{Host: DefaultHost, Port: 0, StartUpSleep: 1500 * time.Millisecond, EnableStatusChange: true, LogOutput: "stderr",
				KeepAlive: true, Log: clikit.LogFlags{LogFormat: "json", LogLevel: "debug"}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var stderr bytes.Buffer
			got, code, done := ParseCommandLine(tc.args, env(tc.env), io.Discard, &stderr)
			if done {
				t.Fatalf("exit %d: %s", code, stderr.String())
			}
			if got != tc.want {
				t.Errorf("got %+v, want %+v", got, tc.want)
			}
		})
	}
}

func TestParseCommandLine_Errors(t *testing.T) {
	for _, tc := range []struct {
		name    string
		args    []string
		env     map[string]string
		mention string
	}{
		{"bad PORT0", nil, map[string]string{"PORT0": "http"}, "PORT0"},
		{"port out of range", []string{"-p", "70000"}, nil, "--port"},
		{"negative start-up sleep", []string{"--start-up-sleep-ms", "-1"}, nil, "--start-up-sleep-ms"},
		{"unknown log output", []string{"--log-output", "syslog"}, nil, "--log-output"},
		{"unknown log format", []string{"--log-format", "xml"}, nil, "--log-format"},
		{"unknown flag", []string{"--ssl"}, nil, "ssl"},
		{"stray argument", []string{"extra"}, nil, "extra"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var stderr bytes.Buffer
			_, code, done := ParseCommandLine(tc.args, env(tc.env), io.Discard, &stderr)
			if !done || code != clikit.ExitUsage {
				t.Fatalf("done %v, exit %d; want a usage error", done, code)
			}
			if !strings.Contains(stderr.String(), tc.mention) {
				t.Errorf("message %q does not mention %s", stderr.String(), tc.mention)
			}
		})
	}
}

func TestHelpVersionAndCompletionExit0(t *testing.T) {
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"-h"}, "--start-up-sleep-ms"},
		{[]string{"--help"}, "kitchen -p 9000 --host 0.0.0.0"},
		{[]string{"--version"}, "kitchen "},
		{[]string{"completion", "bash"}, "complete -C "},
	} {
		var stdout bytes.Buffer
		_, code, done := ParseCommandLine(c.args, env(nil), &stdout, io.Discard)
		if !done || code != 0 || !strings.Contains(stdout.String(), c.want) {
			t.Errorf("%v: done %v, exit %d, stdout %q; want exit 0 and %q", c.args, done, code, stdout.String(), c.want)
		}
	}
}
