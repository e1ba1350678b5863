package kitchen

import (
	"flag"
	"fmt"
	"io"
	"strconv"
	"time"
)

// Config is what the command line decides about one kitchen process.
type Config struct {
	// Host is the address to bind; "" binds every interface, like the
	// original's default of ''.
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
	// KeepAlive drops the original's Connection: close, so clients and
	// proxies may reuse connections. Off by default (compatibility); a
	// benchmark turns it on so that it measures the proxy in front of the
	// kitchen rather than a TCP handshake per request.
	KeepAlive bool
}

// defaultPort is used when neither a flag nor $PORT0 gives one.
const defaultPort = 8080

// ParseFlags reads the kitchen command line. The flag names are the
// original's (-p/--port, --hostname, --start-up-sleep-ms,
// --enable-status-change, --log-output) plus --host, so Waiter commands
// written for the Python kitchen run unchanged. getenv supplies $PORT0, the
// port Waiter's schedulers assign; usage receives help and error text.
func ParseFlags(args []string, getenv func(string) string, usage io.Writer) (Config, error) {
	port := defaultPort
	if v := getenv("PORT0"); v != "" {
		p, err := parsePort(v)
		if err != nil {
			return Config{}, fmt.Errorf("PORT0: %w", err)
		}
		port = p
	}

	cfg := Config{Port: port, LogOutput: "stdout"}
	var startUpSleepMS int64
	fs := flag.NewFlagSet("kitchen", flag.ContinueOnError)
	fs.SetOutput(usage)
	fs.IntVar(&cfg.Port, "p", port, "port to listen on (default $PORT0, else 8080)")
	fs.IntVar(&cfg.Port, "port", port, "same as -p")
	fs.StringVar(&cfg.Host, "host", "", "address to bind (default: all interfaces)")
	fs.StringVar(&cfg.Host, "hostname", "", "same as --host (the original's name)")
	fs.Int64Var(&startUpSleepMS, "start-up-sleep-ms", 0, "milliseconds to sleep before listening (simulates a slow start)")
	fs.BoolVar(&cfg.EnableStatusChange, "enable-status-change", false, "honour x-kitchen-default-status-value")
	fs.StringVar(&cfg.LogOutput, "log-output", "stdout", "log destination: stdout, stderr or file ($MESOS_SANDBOX/kitchen.log)")
	fs.BoolVar(&cfg.KeepAlive, "keep-alive", false, "allow connection reuse (no Connection: close; for benchmarks)")
	if err := fs.Parse(args); err != nil {
		return Config{}, err // already reported on usage by the flag package
	}
	if fs.NArg() > 0 {
		return Config{}, fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	if cfg.Port < 0 || cfg.Port > 65535 {
		return Config{}, fmt.Errorf("--port %d: must be between 0 and 65535", cfg.Port)
	}
	if startUpSleepMS < 0 {
		return Config{}, fmt.Errorf("--start-up-sleep-ms %d: must not be negative", startUpSleepMS)
	}
	cfg.StartUpSleep = time.Duration(startUpSleepMS) * time.Millisecond
	switch cfg.LogOutput {
	case "stdout", "stderr", "file":
	default:
		return Config{}, fmt.Errorf("--log-output %q: must be stdout, stderr or file", cfg.LogOutput)
	}
	return cfg, nil
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
