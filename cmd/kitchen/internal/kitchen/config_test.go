package kitchen

import (
	"errors"
	"flag"
	"io"
	"strings"
	"testing"
	"time"
)

func env(kv map[string]string) func(string) string {
	return func(k string) string { return kv[k] }
}

func TestParseFlags(t *testing.T) {
	for _, tc := range []struct {
		name string
		args []string
		env  map[string]string
		want Config
	}{
		{"defaults", nil, nil, Config{Port: 8080, LogOutput: "stdout"}},
		{"PORT0 is the default port", nil, map[string]string{"PORT0": "31001"}, Config{Port: 31001, LogOutput: "stdout"}},
		{"-p beats PORT0", []string{"-p", "9000"}, map[string]string{"PORT0": "31001"}, Config{Port: 9000, LogOutput: "stdout"}},
		{"--port", []string{"--port=9001"}, nil, Config{Port: 9001, LogOutput: "stdout"}},
		{"--host", []string{"--host", "127.0.0.1"}, nil, Config{Host: "127.0.0.1", Port: 8080, LogOutput: "stdout"}},
		{"--hostname, the original's name", []string{"--hostname", "::1"}, nil, Config{Host: "::1", Port: 8080, LogOutput: "stdout"}},
		{"everything", []string{"-p", "0", "--start-up-sleep-ms", "1500", "--enable-status-change", "--log-output", "stderr", "--keep-alive"}, nil,
			Config{Port: 0, StartUpSleep: 1500 * time.Millisecond, EnableStatusChange: true, LogOutput: "stderr", KeepAlive: true}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := ParseFlags(tc.args, env(tc.env), io.Discard)
			if err != nil {
				t.Fatalf("ParseFlags: %v", err)
			}
			if got != tc.want {
				t.Errorf("got %+v, want %+v", got, tc.want)
			}
		})
	}
}

func TestParseFlags_Errors(t *testing.T) {
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
		{"unknown flag", []string{"--ssl"}, nil, "ssl"},
		{"stray argument", []string{"extra"}, nil, "extra"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var usage strings.Builder
			_, err := ParseFlags(tc.args, env(tc.env), &usage)
			if err == nil {
				t.Fatal("no error")
			}
			if !strings.Contains(err.Error()+usage.String(), tc.mention) {
				t.Errorf("error %q (usage %q) does not mention %s", err, usage.String(), tc.mention)
			}
		})
	}
	if _, err := ParseFlags([]string{"-h"}, env(nil), io.Discard); !errors.Is(err, flag.ErrHelp) {
		t.Errorf("-h gave %v, want flag.ErrHelp", err)
	}
}
