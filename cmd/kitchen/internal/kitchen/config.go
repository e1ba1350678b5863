package kitchen

import (
	"fmt"
	"io"
	"strconv"
	"time"

	"github.com/alecthomas/kong"
	"github.com/waiter-go/waiter/internal/clikit"
)

// Config is what the command line decides about one kitchen process.
type Config struct {
	// Host is the address to bind: 127.0.0.1 unless told otherwise, so a
	// kitchen started by hand is not reachable from the network; "" binds
	// every interface (the original's default).
	Host string
	// Port is the TCP port to bind; 0 lets the kernel choose (the chosen
	// address is logged).
	Port int
	// StartUpSleep delays binding the port, to simulate a service that is
	// slow to start (Waiter must keep the instance out of rotation meanwhile).
	StartUpSleep time.Duration
	// EnableStatusChange honours x-kitchen-default-status-value; it is off by
	// default because it changes the answer of every later request, /status
	// included, and so makes the instance fail health checks.
	EnableStatusChange bool
	// LogOutput is "stdout", "stderr" or "file" ($MESOS_SANDBOX/kitchen.log).
	LogOutput string
	// Log is the log's format and lowest level.
	Log clikit.LogFlags
	// KeepAlive drops the original's Connection: close, so clients and
	// proxies may reuse connections. Off by default (compatibility); a
	// benchmark turns it on so that it measures the proxy in front of the
	// kitchen rather than a TCP handshake per request.
	KeepAlive bool
	// TLS serves HTTPS (h2 and http/1.1) with a self-signed certificate,
	// for services with backend-proto https or h2 (the original's --ssl).
	TLS bool
}

// defaultPort is used when neither a flag nor $PORT0 gives one.
const defaultPort = 8080

// DefaultHost is where a kitchen listens unless told.
const DefaultHost = "127.0.0.1"

// commandLine is kitchen's grammar. Its flags are the original's
// (-p/--port, --hostname, --start-up-sleep-ms, --enable-status-change,
// --log-output) plus --host, --keep-alive and the log flags every binary
// has; serving is the hidden default command, so `kitchen -p 8080` works
// as it always did and `kitchen --help` lists every flag.
type commandLine struct {
	Version            kong.VersionFlag `help:"Print the version (module version and commit) and exit."`
	Port               int              `short:"p" default:"${port}" help:"Port to listen on (default $$PORT0, else 8080)."`
	Host               string           `aliases:"hostname" default:"127.0.0.1" help:"Address to bind; \"\" binds every interface. --hostname is the original's name."`
	StartUpSleepMS     int64            `name:"start-up-sleep-ms" placeholder:"MS" help:"Milliseconds to sleep before listening (simulates a slow start)."`
	EnableStatusChange bool             `help:"Honour x-kitchen-default-status-value (it changes every later answer, /status included)."`
	LogOutput          string           `enum:"stdout,stderr,file" default:"stdout" help:"Log destination: stdout, stderr or file ($$MESOS_SANDBOX/kitchen.log)."`
	KeepAlive          bool             `help:"Allow connection reuse (no Connection: close; for benchmarks)."`
	TLS                bool             `name:"tls" help:"Serve HTTPS (h2 and http/1.1) with a self-signed certificate, for backend-proto https or h2."`
	clikit.LogFlags    `embed:""`

	Serve      struct{}             `cmd:"" default:"1" hidden:"" help:"Serve HTTP (the default)."`
	Completion clikit.CompletionCmd `cmd:"" help:"Print shell code that completes kitchen's flags."`
}

// Help is kitchen's detailed help.
func (commandLine) Help() string {
	return `The path and x-kitchen-* headers of each request choose what it does
(delay, status code, chunked or broken bodies, /die). The port defaults to
$PORT0, the one Waiter's schedulers hand an instance.

Examples:

    kitchen                                   # 127.0.0.1:$PORT0, else 127.0.0.1:8080
    kitchen -p 9000 --host 0.0.0.0            # every interface (tell it to)
    curl -H 'x-waiter-cmd: kitchen -p $PORT0' ...   # as a Waiter service`
}

// ParseCommandLine reads kitchen's arguments. getenv supplies $PORT0, the
// port Waiter's schedulers assign. When done is true the process should
// exit with code: help, the version or a completion script was printed
// (0), or the command line is wrong (2, explained on stderr).
func ParseCommandLine(args []string, getenv func(string) string, stdout, stderr io.Writer) (cfg Config, code int, done bool) {
	port := defaultPort
	if v := getenv("PORT0"); v != "" {
		p, err := parsePort(v)
		if err != nil {
			fmt.Fprintf(stderr, "kitchen: PORT0: %v\n", err)
			return Config{}, clikit.ExitUsage, true
		}
		port = p
	}
	var cl commandLine
	app, err := clikit.New("kitchen", "Waiter's test service: an HTTP server that misbehaves on demand.", &cl, stdout, stderr,
		kong.Vars{"port": strconv.Itoa(port)})
	if err != nil {
		fmt.Fprintln(stderr, err)
		return Config{}, clikit.ExitFailed, true
	}
	ctx, code, done := app.Parse(args)
	if done {
		return Config{}, code, true
	}
	if ctx.Command() == "completion <shell>" {
		if err := cl.Completion.Print(stdout, "kitchen", ""); err != nil {
			fmt.Fprintln(stderr, "kitchen:", err)
			return Config{}, clikit.ExitFailed, true
		}
		return Config{}, clikit.ExitOK, true
	}
	f := cl
	if f.Port < 0 || f.Port > 65535 {
		app.UsageError(fmt.Errorf("--port %d: must be between 0 and 65535", f.Port))
		return Config{}, clikit.ExitUsage, true
	}
	if f.StartUpSleepMS < 0 {
		app.UsageError(fmt.Errorf("--start-up-sleep-ms %d: must not be negative", f.StartUpSleepMS))
		return Config{}, clikit.ExitUsage, true
	}
	return Config{
		Host: f.Host, Port: f.Port, StartUpSleep: time.Duration(f.StartUpSleepMS) * time.Millisecond,
		EnableStatusChange: f.EnableStatusChange, LogOutput: f.LogOutput, Log: f.LogFlags, KeepAlive: f.KeepAlive,
		TLS: f.TLS,
	}, clikit.ExitOK, false
}

func parsePort(s string) (int, error) {
	p, err := strconv.Atoi(s)
	if err != nil {
		return 0, fmt.Errorf("invalid port %q: %w", s, err)
	}
	if p < 0 || p > 65535 {
		return 0, fmt.Errorf("invalid port %d: must be between 0 and 65535", p)
	}
	return p, nil
}
