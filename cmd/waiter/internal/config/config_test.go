package config

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/alecthomas/kong"
)

func TestDecodeIsStrict(t *testing.T) {
	_, err := Decode(strings.NewReader("port: 1\nprot: 2\n"), Default())
	if err == nil || !strings.Contains(err.Error(), "prot") {
		t.Fatalf("unknown key accepted: %v", err)
	}
	_, err = Decode(strings.NewReader("port: 1\n---\nport: 2\n"), Default())
	if err == nil {
		t.Fatal("two documents accepted")
	}
	_, err = Decode(strings.NewReader("port: lots\n"), Default())
	if err == nil {
		t.Fatal("a string port accepted")
	}
}

func TestDecodeValues(t *testing.T) {
	cfg, err := Decode(strings.NewReader(`
port: 9999
scheduler: marathon
marathon-url: http://marathon:8080
queue-timeout: 45s
hostnames: [waiter.example]
service-description-defaults:
  concurrency-level: 4
profiles:
  webapp: {concurrency-level: 120, load-balancing: random}
`), Default())
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Port != 9999 || cfg.Scheduler != "marathon" || cfg.QueueTimeout != 45*time.Second ||
		cfg.Hostnames[0] != "waiter.example" || cfg.ServiceDefaults["concurrency-level"] != 4 ||
		cfg.Profiles["webapp"]["load-balancing"] != "random" {
		t.Errorf("decoded %+v", cfg)
	}
	if cfg.DataDir != "./waiter-data" || cfg.SocketTimeout != 900*time.Second {
		t.Errorf("defaults lost: %+v", cfg)
	}
	if cfg, err := Decode(strings.NewReader(""), Default()); err != nil || cfg.Port != 9091 {
		t.Errorf("empty file: %+v %v", cfg, err)
	}
}

func TestFlagsOverrideFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "waiter.yaml")
	if err := os.WriteFile(path, []byte("port: 8000\ndata-dir: /from/file\nscheduler: shell\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	cfg, err := parse("--config", path, "--port", "7000")
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Port != 7000 || cfg.DataDir != "/from/file" {
		t.Errorf("port %d data-dir %q: the flag must win, the file must fill the rest", cfg.Port, cfg.DataDir)
	}
	cfg, err = parse()
	if err != nil || cfg.Port != 9091 || cfg.Scheduler != "shell" {
		t.Errorf("defaults: %+v %v", cfg, err)
	}
}

// parse is `waiter serve ARGS` as far as the configuration goes.
func parse(args ...string) (Config, error) {
	var f Flags
	k, err := kong.New(&f, kong.Vars(HelpVars()))
	if err != nil {
		return Config{}, err
	}
	if _, err := k.Parse(args); err != nil {
		return Config{}, err
	}
	return f.Resolve()
}

func TestLogSettings(t *testing.T) {
	cfg, err := parse("--log-format", "json", "--log-level", "debug", "--access-log", "stdout")
	if err != nil || cfg.LogFormat != "json" || cfg.LogLevel != "debug" || cfg.AccessLog != "stdout" {
		t.Errorf("log flags: %+v %v", cfg, err)
	}
	if cfg, err := parse(); err != nil || cfg.LogFormat != "text" || cfg.LogLevel != "info" || cfg.AccessLog != "" {
		t.Errorf("log defaults: text, info, no access log; got %q %q %q %v", cfg.LogFormat, cfg.LogLevel, cfg.AccessLog, err)
	}
	if _, err = parse("--log-format", "xml"); err == nil || !strings.Contains(err.Error(), `--log-format must be one of "text","json" but got "xml"`) {
		t.Errorf("bad --log-format: %v", err)
	}
	path := filepath.Join(t.TempDir(), "waiter.yaml")
	if err := os.WriteFile(path, []byte("log-format: xml\nlog-level: loud\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	_, err = parse("--config", path)
	if err == nil || !strings.Contains(err.Error(), `log-format must be text or json (got "xml")`) ||
		!strings.Contains(err.Error(), `log-level must be debug, info, warn or error (got "loud")`) {
		t.Errorf("bad log settings in the file: %v", err)
	}
	if err := os.WriteFile(path, []byte("log-format: json\naccess-log: /var/log/waiter/access.log\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if cfg, err := parse("--config", path, "--log-format", "text"); err != nil || cfg.LogFormat != "text" || cfg.AccessLog != "/var/log/waiter/access.log" {
		t.Errorf("file then flags: %+v %v", cfg, err)
	}
}

func TestParseErrors(t *testing.T) {
	if _, err := parse("--scheduler", "marathon"); err == nil || !strings.Contains(err.Error(), "marathon-url") {
		t.Errorf("marathon without URL: %v", err)
	}
	_, err := parse("--scheduler", "k8s", "--port", "70000")
	if err == nil || !strings.Contains(err.Error(), "k8s") || !strings.Contains(err.Error(), "70000") {
		t.Errorf("every problem must be reported: %v", err)
	}
	if _, err := parse("--config", "/no/such/file.yaml"); err == nil {
		t.Error("missing config file accepted")
	}
	if _, err := parse("extra"); err == nil {
		t.Error("stray argument accepted")
	}
}

// The limits are in the file (strict YAML) and the per-user ones in
// flags too; a limit that would turn a bound off is refused by name.
func TestLimits(t *testing.T) {
	cfg, err := Decode(strings.NewReader(`
read-header-timeout: 5s
idle-timeout: 30s
max-header-bytes: 16384
api-body-timeout: 10s
api-write-timeout: 20s
max-api-body-bytes: 4096
description-cache-size: 10
service-cache-size: 20
token-cache-size: 30
inactive-services-per-user: 5
max-services-per-user: 7
max-instances-per-user: 70
max-tokens-per-owner: 3
log-repeat-window: 0s
event-loops: 3
`), Default())
	if err != nil {
		t.Fatal(err)
	}
	want := Default()
	want.ReadHeaderTimeout, want.IdleTimeout, want.MaxHeaderBytes = 5*time.Second, 30*time.Second, 16384
	want.APIBodyTimeout, want.APIWriteTimeout, want.MaxAPIBodyBytes = 10*time.Second, 20*time.Second, 4096
	want.DescriptionCacheSize, want.ServiceCacheSize, want.TokenCacheSize = 10, 20, 30
	want.InactiveServicesPerUser, want.MaxServicesPerUser, want.MaxInstancesPerUser, want.MaxTokensPerOwner = 5, 7, 70, 3
	want.LogRepeatWindow = 0
	want.EventLoops = 3
	if fmt.Sprintf("%+v", cfg) != fmt.Sprintf("%+v", want) {
		t.Errorf("decoded\n%+v\nwant\n%+v", cfg, want)
	}
	if err := Default().Validate(); err != nil {
		t.Errorf("the defaults are invalid: %v", err)
	}
	cfg, err = parse("--max-services-per-user", "3", "--max-instances-per-user", "9", "--max-tokens-per-owner", "0")
	if err != nil || cfg.MaxServicesPerUser != 3 || cfg.MaxInstancesPerUser != 9 || cfg.MaxTokensPerOwner != 0 {
		t.Errorf("flags: %+v %v", cfg, err)
	}

	bad := Default()
	bad.ReadHeaderTimeout, bad.IdleTimeout, bad.APIBodyTimeout, bad.APIWriteTimeout = 0, 0, 0, -time.Second
	bad.MaxHeaderBytes, bad.MaxAPIBodyBytes = 0, 0
	bad.DescriptionCacheSize, bad.ServiceCacheSize, bad.TokenCacheSize = 0, -1, 0
	bad.InactiveServicesPerUser, bad.MaxServicesPerUser, bad.MaxInstancesPerUser, bad.MaxTokensPerOwner = -1, -1, -1, -1
	bad.LogRepeatWindow = -time.Second
	bad.EventLoops = -1
	err = bad.Validate()
	for _, key := range []string{"event-loops", "read-header-timeout", "idle-timeout", "api-body-timeout", "api-write-timeout",
		"max-header-bytes", "max-api-body-bytes", "description-cache-size", "service-cache-size", "token-cache-size",
		"inactive-services-per-user", "max-services-per-user", "max-instances-per-user", "max-tokens-per-owner",
		"log-repeat-window"} {
		if err == nil || !strings.Contains(err.Error(), key) {
			t.Errorf("%s not reported: %v", key, err)
		}
	}
}

// event-loops is 0 (one per CPU) up to MaxEventLoops.
func TestEventLoopsBounds(t *testing.T) {
	want := fmt.Sprintf("event-loops must be from 0 (one per CPU) to %d", MaxEventLoops)
	for n, ok := range map[int]bool{-1: false, 0: true, 1: true, MaxEventLoops: true, MaxEventLoops + 1: false} {
		c := Default()
		c.EventLoops = n
		err := c.Validate()
		if ok != (err == nil) || (err != nil && !strings.Contains(err.Error(), want)) {
			t.Errorf("event-loops %d: %v", n, err)
		}
	}
}

func TestAuthorizationKeys(t *testing.T) {
	cfg, err := Decode(strings.NewReader("admins: [root, ops]\ncors-allowed-origins: [\"https://ui.example.com\"]\n"), Default())
	if err != nil {
		t.Fatal(err)
	}
	if len(cfg.Admins) != 2 || cfg.Admins[1] != "ops" || len(cfg.CORSAllowedOrigins) != 1 || cfg.CORSAllowedOrigins[0] != "https://ui.example.com" {
		t.Errorf("decoded admins %v cors-allowed-origins %v", cfg.Admins, cfg.CORSAllowedOrigins)
	}
	if def := Default(); len(def.Admins) != 0 || len(def.CORSAllowedOrigins) != 0 {
		t.Errorf("defaults: admins %v (serve fills in the OS user), cors-allowed-origins %v (none)", def.Admins, def.CORSAllowedOrigins)
	}
	cfg.Admins = []string{"root", " "}
	if err := cfg.Validate(); err == nil || !strings.Contains(err.Error(), "admins[1] must be a user name") {
		t.Errorf("a blank admin: %v", err)
	}
}

// debug-listen serves profiles without authentication: loopback only.
func TestDebugListen(t *testing.T) {
	for addr, want := range map[string]string{
		"":                "",
		"127.0.0.1:6060":  "",
		"localhost:0":     "",
		"[::1]:6060":      "",
		"0.0.0.0:6060":    "not a loopback address",
		":6060":           "not a loopback address",
		"10.1.2.3:6060":   "not a loopback address",
		"127.0.0.1":       "debug-listen must be host:port",
		"127.0.0.1:http":  "port must be between 0 and 65535",
		"127.0.0.1:70000": "port must be between 0 and 65535",
	} {
		cfg := Default()
		cfg.DataDir = t.TempDir()
		cfg.DebugListen = addr
		err := cfg.Validate()
		switch {
		case want == "" && err != nil:
			t.Errorf("debug-listen %q refused: %v", addr, err)
		case want != "" && (err == nil || !strings.Contains(err.Error(), want)):
			t.Errorf("debug-listen %q: got %v, want an error with %q", addr, err, want)
		}
	}
}
