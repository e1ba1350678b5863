package engine

import "time"

// Config holds the router-wide settings of the engine. Zero fields take
// Waiter's defaults (settings.clj, reference appendix A).
type Config struct {
	// Seed drives every random choice (random load balancing).
	Seed uint64
	// ScalingInterval is the autoscaler tick (:autoscaler-interval-ms 1000).
	ScalingInterval time.Duration
	// InterKillWait is the minimum gap between two scale-down kills of one
	// service (:inter-kill-request-wait-time-ms 1000).
	InterKillWait time.Duration
	// QuantaCPUs and QuantaMemMB cap the resources one scale-up step may
	// ask for (:quanta-constraints {:cpus 64 :mem 524288}).
	QuantaCPUs  float64
	QuantaMemMB float64
	// MaxExpiredUnhealthy caps how many unhealthy expired instances the
	// autoscaler counts (:max-expired-unhealthy-instances-to-consider 2).
	MaxExpiredUnhealthy int
	// EjectBackoffBase and MaxEjectTime set the ejection period
	// min(max, base x 2^min(maxExp, n-1)) (:ejection-config).
	EjectBackoffBase time.Duration
	MaxEjectTime     time.Duration
	// EjectionExpiryThreshold consecutive failures mark an instance expired.
	EjectionExpiryThreshold int
	// DeploymentErrorMinFailed and DeploymentErrorMinHosts gate deployment
	// errors (:deployment-error-config {:min-failed-instances 2 :min-hosts 2}).
	// A one-machine scheduler sets MinHosts to 1.
	DeploymentErrorMinFailed int
	DeploymentErrorMinHosts  int
	// LingeringRequestThreshold: an expired instance whose requests are all
	// older than this may be killed (:lingering-request-threshold-ms 60000).
	LingeringRequestThreshold time.Duration
	// DefaultQueueTimeout applies when a request names none (300000 ms).
	DefaultQueueTimeout time.Duration
	// CreateRetryInterval spaces retries of a failed service creation.
	CreateRetryInterval time.Duration
	// Policies are the scaling policies services may choose by name;
	// DefaultPolicy names the one used when a service names none. The
	// Waiter and Knative policies are always available as "waiter" and
	// "knative".
	Policies      map[string]Policy
	DefaultPolicy string
	// MaxServicesPerUser bounds the services one run-as-user may have at
	// once; a request that would create one more is refused with
	// CodeTooMany. 0: no limit.
	MaxServicesPerUser int
	// MaxInstancesPerUser bounds the instances one run-as-user's services
	// may ask the scheduler for in all: a new service whose min-instances
	// do not fit is refused with CodeTooMany, and scaling up stops at the
	// limit. 0: no limit.
	MaxInstancesPerUser int
	// RouterID names this router in its cluster (HRW slot distribution
	// and counters); empty for a router alone.
	RouterID string
	// PeerCountersTTL: a peer's counters older than this no longer count
	// (:inter-router-metrics-idle-timeout-ms 2000).
	PeerCountersTTL time.Duration
	// WorkStealingSchemes lists the distribution schemes whose services
	// lend idle slots to peers that need help (:work-stealing
	// :supported-distribution-schemes). nil: {"simple"}, Waiter's default;
	// an empty non-nil slice turns work stealing off.
	WorkStealingSchemes []string
	// OfferHelpInterval spaces two work-stealing passes of this router
	// (:work-stealing :offer-help-interval-ms 100).
	OfferHelpInterval time.Duration
}

func (c Config) withDefaults() Config {
	setD := func(d *time.Duration, v time.Duration) {
		if *d <= 0 {
			*d = v
		}
	}
	setD(&c.ScalingInterval, time.Second)
	setD(&c.InterKillWait, time.Second)
	setD(&c.EjectBackoffBase, 10*time.Second)
	setD(&c.MaxEjectTime, 300*time.Second)
	setD(&c.LingeringRequestThreshold, 60*time.Second)
	setD(&c.DefaultQueueTimeout, 300*time.Second)
	setD(&c.CreateRetryInterval, 5*time.Second)
	setD(&c.PeerCountersTTL, 2*time.Second)
	setD(&c.OfferHelpInterval, 100*time.Millisecond)
	if c.WorkStealingSchemes == nil {
		c.WorkStealingSchemes = []string{SchemeSimple}
	}
	if c.QuantaCPUs <= 0 {
		c.QuantaCPUs = 64
	}
	if c.QuantaMemMB <= 0 {
		c.QuantaMemMB = 524288
	}
	if c.MaxExpiredUnhealthy <= 0 {
		c.MaxExpiredUnhealthy = 2
	}
	if c.EjectionExpiryThreshold <= 0 {
		c.EjectionExpiryThreshold = 5
	}
	if c.DeploymentErrorMinFailed <= 0 {
		c.DeploymentErrorMinFailed = 2
	}
	if c.DeploymentErrorMinHosts <= 0 {
		c.DeploymentErrorMinHosts = 2
	}
	policies := map[string]Policy{}
	for k, v := range c.Policies {
		policies[k] = v
	}
	if _, ok := policies[WaiterPolicyName]; !ok {
		policies[WaiterPolicyName] = WaiterPolicy{}
	}
	if _, ok := policies[KnativePolicyName]; !ok {
		policies[KnativePolicyName] = KnativePolicy{}
	}
	if _, ok := policies[PredictivePolicyName]; !ok {
		policies[PredictivePolicyName] = PredictivePolicy{}
	}
	c.Policies = policies
	if c.DefaultPolicy == "" {
		c.DefaultPolicy = WaiterPolicyName
	}
	return c
}

// PolicyNames lists the policies every engine has, as the scaling-policy
// parameter, configs and scenarios name them.
func PolicyNames() []string {
	return []string{WaiterPolicyName, KnativePolicyName, PredictivePolicyName}
}
