package marathon

import (
	"github.com/waiter-go/waiter/engine"
)

// environment is what Waiter gives every instance (engine.InstanceEnv):
// HOME is HomePathPrefix + the run-as user; Mesos adds PORT0.. itself.
func (s *Scheduler) environment(d *engine.Description) map[string]string {
	user := s.runAs(d)
	return engine.InstanceEnv(engine.EnvSpec{
		ServiceID: d.ID, ConcurrencyLevel: d.ConcurrencyLevel, CPUs: d.CPUs, MemMB: d.MemMB,
		MetricGroup: d.MetricGroup, Env: d.Env, RunAsUser: user, Home: s.cfg.HomePathPrefix + user,
		Cluster: s.cfg.Cluster, Password: s.cfg.Password(d.ID),
	})
}

// runAs is the user a service runs as: its run-as-user, else the
// configured default.
func (s *Scheduler) runAs(d *engine.Description) string {
	if d.RunAsUser != "" {
		return d.RunAsUser
	}
	return s.cfg.RunAsUser
}
