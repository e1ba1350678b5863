package shell

import (
	"os"
	"os/user"
	"slices"

	"github.com/waiter-go/waiter/engine"
)

// envBase is what every instance's environment starts from: the router's
// facts, fixed at New.
type envBase struct {
	cluster  string
	password func(serviceID string) string
	// user names the account instances run as (the router's own), for
	// LOGNAME and USER when the description has no run-as-user.
	user string
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
	if u, err := user.Current(); err == nil {
		b.user = u.Username
	} else {
		b.user = os.Getenv("USER")
	}
	return b
}

// environment builds an instance's environment (engine.InstanceEnv) with
// what the shell scheduler adds: the router's PATH, HOME and the sandbox
// variables set to the instance folder, LOGNAME and USER always set (the
// router's own user when the description names none), and PORT0..PORTn-1.
// The result is sorted, so a launch is reproducible.
func (b envBase) environment(sp *spec, dir string, ports []int) []string {
	runAs := sp.RunAsUser
	if runAs == "" {
		runAs = b.user
	}
	env := engine.InstanceEnv(engine.EnvSpec{
		ServiceID: sp.ServiceID, ConcurrencyLevel: sp.ConcurrencyLevel, CPUs: sp.CPUs, MemMB: sp.MemMB,
		MetricGroup: sp.MetricGroup, Env: sp.Env, RunAsUser: runAs, Home: dir,
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
