package shell

import (
	"os"
	"slices"
	"strconv"

	"github.com/waiter-go/waiter/internal/osuser"
)

// envBase is what every instance's environment starts from: the router's
// facts, fixed at New.
type envBase struct {
	cluster  string
	password func(serviceID string) string
	// path is the router's PATH. It is the only variable an instance
	// inherits from the router: the command needs it to find programs,
	// and nothing else of the router's (credentials, config) should leak.
	path string
}

func newEnvBase(cluster string, password func(string) string) envBase {
	b := envBase{cluster: cluster, password: password, path: os.Getenv("PATH")}
	if b.path == "" {
		b.path = "/usr/local/bin:/usr/bin:/bin"
	}
	return b
}

// environment builds an instance's environment as Waiter's
// scheduler/environment does, plus what the shell scheduler adds: the
// user's env, then HOME (the home of the account it runs as), LOGNAME
// and USER (that account's name),
// WAITER_CLUSTER, WAITER_CONCURRENCY_LEVEL, WAITER_CPUS, WAITER_MEM_MB,
// WAITER_PASSWORD, WAITER_SERVICE_ID, WAITER_USERNAME=waiter,
// WAITER_METRIC_GROUP, WAITER_TOKEN (from the user's WAITER_CONFIG_TOKEN),
// PORT0..PORTn-1, MESOS_SANDBOX and WAITER_SANDBOX (the instance folder).
// The result is sorted, so a launch is reproducible.
func (b envBase) environment(sp *spec, as osuser.Account, dir string, ports []int) []string {
	env := make(map[string]string, len(sp.Env)+16+len(ports))
	env["PATH"] = b.path
	for k, v := range sp.Env {
		env[k] = v
	}
	token, hasToken := env["WAITER_CONFIG_TOKEN"]
	delete(env, "WAITER_CONFIG_TOKEN")
	// Waiter's shell scheduler sets HOME to the instance folder; here an
	// instance runs as a real account, so it gets that account's home, as
	// a login would give it (and as Waiter on Marathon does): tools that
	// keep credentials or caches under ~ find the user's own. The instance
	// folder stays its cwd and WAITER_SANDBOX. An account without a home
	// falls back to the folder.
	env["HOME"] = as.Home
	if as.Home == "" {
		env["HOME"] = dir
	}
	env["LOGNAME"] = as.Name
	env["USER"] = as.Name
	env["WAITER_CLUSTER"] = b.cluster
	env["WAITER_CONCURRENCY_LEVEL"] = strconv.Itoa(sp.ConcurrencyLevel)
	env["WAITER_CPUS"] = formatNumber(sp.CPUs)
	env["WAITER_MEM_MB"] = formatNumber(sp.MemMB)
	env["WAITER_PASSWORD"] = b.password(sp.ServiceID)
	env["WAITER_SERVICE_ID"] = sp.ServiceID
	env["WAITER_USERNAME"] = "waiter"
	if sp.MetricGroup != "" {
		env["WAITER_METRIC_GROUP"] = sp.MetricGroup
	}
	if hasToken {
		env["WAITER_TOKEN"] = token
	}
	for i, p := range ports {
		env["PORT"+strconv.Itoa(i)] = strconv.Itoa(p)
	}
	env["MESOS_SANDBOX"] = dir
	env["WAITER_SANDBOX"] = dir

	out := make([]string, 0, len(env))
	for k, v := range env {
		out = append(out, k+"="+v)
	}
	slices.Sort(out)
	return out
}

// formatNumber prints 1 as "1" and 0.5 as "0.5", as Waiter's (str n) does
// for the numbers a JSON description holds.
func formatNumber(f float64) string {
	return strconv.FormatFloat(f, 'f', -1, 64)
}
