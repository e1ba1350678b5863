package engine

// RouterProbe is what a router's own health check of an instance found,
// where the scheduler does not call it healthy yet (Waiter's scheduler
// syncer checks such instances at every poll): its status (0 when no
// answer came) and the facts it learnt (connected, responded, timed out).
type RouterProbe struct {
	Healthy bool
	Status  int
	Flags   InstanceFlags
}

// ApplyRouterProbe records a router's own health check of in: a healthy
// answer makes the instance healthy at once, the status is shown, and the
// facts learnt are kept in facts (by instance id) so that the instance's
// later observations, and its failure, carry them. The Marathon adapter
// and the simulator's model of it both apply their probes through it.
func ApplyRouterProbe(in *ObservedInstance, p RouterProbe, facts map[string]InstanceFlags) {
	in.Healthy, in.HealthCheckStatus = p.Healthy, p.Status
	in.Flags |= p.Flags
	facts[in.ID] |= p.Flags
}
