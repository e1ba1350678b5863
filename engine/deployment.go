package engine

// Deployment error messages (Waiter's :messages).
const (
	DeployBadStartupCommand   = "Invalid startup command"
	DeployNotEnoughMemory     = "Not enough memory allocated"
	DeployCannotConnect       = "Unable to connect to run health checks"
	DeployHealthCheckTimedOut = "Health check timed out"
	DeployInvalidHealthCheck  = "Health check returned an invalid response"
	DeployHealthCheckAuth     = "Health check requires authentication"
)

// updateDeploymentError recomputes svc's deployment error (Waiter's
// get-deployment-error) and, when one appears, fails every queued request
// at once instead of letting it wait out its queue timeout.
func (e *Engine) updateDeploymentError(svc *service) {
	prev := svc.deploymentError
	svc.deploymentError = deploymentError(svc, e.cfg.DeploymentErrorMinFailed, e.cfg.DeploymentErrorMinHosts)
	if svc.deploymentError != "" && prev == "" {
		e.rejectAllQueued(svc, deploymentErr(svc))
	}
}

// deploymentError applies Waiter's rules, in Waiter's order. There is no
// error while any instance is healthy, and failure-based errors need at
// least minFailed failed instances on at least minHosts hosts. Before
// them comes the scheduler's own error, which Waiter does not have: a
// scheduler that cannot launch at all (an unknown run-as-user) leaves no
// failed instances to infer anything from, and knows the cause exactly.
func deploymentError(svc *service, minFailed, minHosts int) string {
	var unhealthy []*instance
	for _, in := range svc.sorted {
		if in.healthy {
			return ""
		}
		unhealthy = append(unhealthy, in)
	}
	if svc.schedulerError != "" {
		return svc.schedulerError
	}
	failed := svc.failed
	hosts := map[string]struct{}{}
	for _, f := range failed {
		hosts[f.Host] = struct{}{}
	}
	hasFailed := len(failed) >= minFailed && len(hosts) >= minHosts
	all := func(flag InstanceFlags) bool {
		for _, f := range failed {
			if f.Flags&flag == 0 {
				return false
			}
		}
		return true
	}
	none := func(flag InstanceFlags) bool {
		for _, f := range failed {
			if f.Flags&flag != 0 {
				return false
			}
		}
		return true
	}
	sameExit := len(failed) > 0 && failed[0].HasExitCode
	for _, f := range failed {
		if !f.HasExitCode || f.ExitCode != failed[0].ExitCode {
			sameExit = false
		}
	}
	switch {
	case hasFailed && sameExit:
		return DeployBadStartupCommand
	case hasFailed && all(FlagMemoryLimitExceeded):
		return DeployNotEnoughMemory
	case hasFailed && none(FlagHasConnected):
		return DeployCannotConnect
	case hasFailed && none(FlagHasResponded):
		return DeployHealthCheckTimedOut
	case hasFailed && all(FlagNeverPassedHealthChecks):
		return DeployInvalidHealthCheck
	case len(unhealthy) > 0 && unhealthy[0].hcStatus == 401:
		return DeployHealthCheckAuth
	}
	return ""
}
