package shell

import (
	"os"
	"slices"

	"github.com/waiter-go/waiter/engine"
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

// environment builds an instance's environment (engine.InstanceEnv) with
// what the shell scheduler adds: the router's PATH, LOGNAME and USER
// naming the account it runs as, HOME that account's home, PORT0..PORTn-1,
// and MESOS_SANDBOX and WAITER_SANDBOX (the instance folder). The result is
// sorted, so a launch is reproducible.
//
// Waiter's shell scheduler sets HOME to the instance folder; here an
// instance runs as a real account, so it gets that account's home, as a
// login would give it (and as Waiter on Marathon does): tools that keep
// credentials or caches under ~ find the user's own. The instance folder
// stays its cwd and WAITER_SANDBOX. An account without a home falls back
// to the folder.
func (b envBase) environment(sp *spec, as osuser.Account, dir string, ports []int) []string {
	home := as.Home
	if home == "" {
		home = dir
	}
	env := engine.InstanceEnv(engine.EnvSpec{
		ServiceID: sp.ServiceID, ConcurrencyLevel: sp.ConcurrencyLevel, CPUs: sp.CPUs, MemMB: sp.MemMB,
		MetricGroup: sp.MetricGroup, Env: sp.Env, RunAsUser: as.Name, Home: home,
		Cluster: b.cluster, Password: b.password(sp.ServiceID),
		Inherited: map[string]string{"PATH": b.path}, Ports: ports, Sandbox: dir,
	})
	out := make([]string, 0, len(env))
	for k, v := range env {
		out = append(out, k+"="+v)
	}
	slices.Sort(out)
	return out
}
