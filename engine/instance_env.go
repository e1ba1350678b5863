package engine

import "strconv"

// EnvSpec is what an instance's environment is built from: the service's
// own parameters and the facts its scheduler adds. Every scheduler builds
// the environment through InstanceEnv, so that a service sees the same
// variables on Marathon, on local processes and in the simulator.
type EnvSpec struct {
	ServiceID        string
	ConcurrencyLevel int
	CPUs             float64
	MemMB            float64
	MetricGroup      string
	// Env is the service's env parameter. Its WAITER_CONFIG_TOKEN becomes
	// WAITER_TOKEN.
	Env map[string]string
	// RunAsUser names the account the instance runs as; HOME, LOGNAME and
	// USER are left out when it is empty.
	RunAsUser string
	// Home is HOME when RunAsUser is set (Marathon: home-path-prefix +
	// user; local processes: the instance folder).
	Home string
	// Cluster is WAITER_CLUSTER; Password is WAITER_PASSWORD.
	Cluster  string
	Password string
	// Inherited are variables the scheduler passes on from its own
	// environment (the shell scheduler's PATH): the service's env may
	// override them.
	Inherited map[string]string
	// Ports become PORT0..PORTn-1 (Mesos sets them itself on Marathon).
	Ports []int
	// Sandbox, when set, is MESOS_SANDBOX and WAITER_SANDBOX.
	Sandbox string
}

// InstanceEnv is the environment Waiter gives an instance
// (scheduler/environment, reference 2.4): the inherited variables, the
// service's env, then HOME, LOGNAME, USER, WAITER_CLUSTER,
// WAITER_CONCURRENCY_LEVEL, WAITER_CPUS, WAITER_MEM_MB, WAITER_PASSWORD,
// WAITER_SERVICE_ID, WAITER_USERNAME=waiter, WAITER_METRIC_GROUP,
// WAITER_TOKEN, PORTi and the sandbox variables; later ones win.
func InstanceEnv(s EnvSpec) map[string]string {
	env := make(map[string]string, len(s.Inherited)+len(s.Env)+14+len(s.Ports))
	for k, v := range s.Inherited {
		env[k] = v
	}
	for k, v := range s.Env {
		env[k] = v
	}
	token, hasToken := env["WAITER_CONFIG_TOKEN"]
	delete(env, "WAITER_CONFIG_TOKEN")
	if s.RunAsUser != "" {
		env["HOME"] = s.Home
		env["LOGNAME"] = s.RunAsUser
		env["USER"] = s.RunAsUser
	}
	env["WAITER_CLUSTER"] = s.Cluster
	env["WAITER_CONCURRENCY_LEVEL"] = strconv.Itoa(s.ConcurrencyLevel)
	env["WAITER_CPUS"] = FormatNumber(s.CPUs)
	env["WAITER_MEM_MB"] = FormatNumber(s.MemMB)
	env["WAITER_PASSWORD"] = s.Password
	env["WAITER_SERVICE_ID"] = s.ServiceID
	env["WAITER_USERNAME"] = "waiter"
	if s.MetricGroup != "" {
		env["WAITER_METRIC_GROUP"] = s.MetricGroup
	}
	if hasToken {
		env["WAITER_TOKEN"] = token
	}
	for i, p := range s.Ports {
		env["PORT"+strconv.Itoa(i)] = strconv.Itoa(p)
	}
	if s.Sandbox != "" {
		env["MESOS_SANDBOX"] = s.Sandbox
		env["WAITER_SANDBOX"] = s.Sandbox
	}
	return env
}

// FormatNumber prints 1 as "1" and 0.5 as "0.5", as Waiter's (str n) does
// for the numbers a JSON description holds.
func FormatNumber(f float64) string { return strconv.FormatFloat(f, 'f', -1, 64) }
