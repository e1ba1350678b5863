package marathon

import (
	"strconv"

	"github.com/waiter-go/waiter/engine"
)

// environment is what Waiter gives every instance (scheduler/environment,
// reference 2.4): the service's env, then HOME (HomePathPrefix +
// run-as-user), LOGNAME, USER, WAITER_CLUSTER, WAITER_CONCURRENCY_LEVEL,
// WAITER_CPUS, WAITER_MEM_MB, WAITER_PASSWORD, WAITER_SERVICE_ID,
// WAITER_USERNAME=waiter, WAITER_METRIC_GROUP and WAITER_TOKEN (the
// service's WAITER_CONFIG_TOKEN). Mesos adds PORT0.. itself.
func (s *Scheduler) environment(d *engine.Description) map[string]string {
	env := make(map[string]string, len(d.Env)+12)
	for k, v := range d.Env {
		env[k] = v
	}
	token, hasToken := env["WAITER_CONFIG_TOKEN"]
	delete(env, "WAITER_CONFIG_TOKEN")
	if user := s.runAs(d); user != "" {
		env["HOME"] = s.cfg.HomePathPrefix + user
		env["LOGNAME"] = user
		env["USER"] = user
	}
	env["WAITER_CLUSTER"] = s.cfg.Cluster
	env["WAITER_CONCURRENCY_LEVEL"] = strconv.Itoa(d.ConcurrencyLevel)
	env["WAITER_CPUS"] = formatNumber(d.CPUs)
	env["WAITER_MEM_MB"] = formatNumber(d.MemMB)
	env["WAITER_PASSWORD"] = s.cfg.Password(d.ID)
	env["WAITER_SERVICE_ID"] = d.ID
	env["WAITER_USERNAME"] = "waiter"
	if d.MetricGroup != "" {
		env["WAITER_METRIC_GROUP"] = d.MetricGroup
	}
	if hasToken {
		env["WAITER_TOKEN"] = token
	}
	return env
}

// runAs is the user a service runs as: its run-as-user, else the
// configured default.
func (s *Scheduler) runAs(d *engine.Description) string {
	if d.RunAsUser != "" {
		return d.RunAsUser
	}
	return s.cfg.RunAsUser
}

// formatNumber prints 1 as "1" and 0.5 as "0.5", as Waiter's (str n) does.
func formatNumber(f float64) string { return strconv.FormatFloat(f, 'f', -1, 64) }
