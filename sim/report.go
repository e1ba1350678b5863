package sim

// Report is the machine-readable result of one run (report.json). It holds
// no wall-clock figure, so the same scenario and seed give identical bytes.
type Report struct {
	Scenario    string          `json:"scenario"`
	Description string          `json:"description,omitempty"`
	Seed        uint64          `json:"seed"`
	Policy      string          `json:"policy"`
	DurationS   float64         `json:"duration_seconds"`
	Totals      Totals          `json:"totals"`
	Services    []ServiceTotals `json:"services"`
	Cluster     ClusterTotals   `json:"cluster"`
	Series      Series          `json:"series"`
	// Routers are the routers of a cluster (routers > 1), in id order;
	// Totals are then the cluster's totals.
	Routers []RouterTotals `json:"routers,omitempty"`
	// MaxInstances is the sum of max-instances over Services: the most
	// instances the run's policies could have asked for.
	MaxInstances int `json:"max_instances"`
	// Windows are the scenario's faults and load changes.
	Windows    []Window          `json:"windows,omitempty"`
	Assertions []AssertionResult `json:"assertions"`
	Passed     bool              `json:"passed"`
}

// Totals are the run's figures over all services.
type Totals struct {
	Requests   int64            `json:"requests"`
	Completed  int64            `json:"completed"`
	Rejected   int64            `json:"rejected"`
	InFlight   int64            `json:"in_flight"`
	Errors     int64            `json:"errors"`
	RejectedBy map[string]int64 `json:"rejected_by_reason"`
	// ColdStarts counts requests that waited for their service's first
	// healthy instance (it had none when they arrived);
	// ColdStartServices counts the times a service went from no healthy
	// instance to one. A burst cold-starts one service once and as many
	// requests as arrive before its first instance is ready.
	ColdStarts        int64   `json:"cold_starts"`
	ColdStartServices int64   `json:"cold_start_services"`
	LatencyMS         Latency `json:"latency_ms"`
	InstanceSeconds   float64 `json:"instance_seconds"`
	PeakInstances     int     `json:"peak_instances"`
	ScaleUps          int64   `json:"scale_ups"`
	Kills             int64   `json:"kills"`
	Creates           int64   `json:"creates"`
	Deletes           int64   `json:"deletes"`
	SchedulerErrors   int64   `json:"scheduler_errors"`
}

// Latency holds latency percentiles in milliseconds.
type Latency struct {
	P50  float64 `json:"p50"`
	P90  float64 `json:"p90"`
	P99  float64 `json:"p99"`
	P999 float64 `json:"p999"`
	Max  float64 `json:"max"`
	Mean float64 `json:"mean"`
}

// ServiceTotals are one service's figures.
type ServiceTotals struct {
	Name string `json:"name"`
	ID   string `json:"id"`
	// MaxInstances is the service's max-instances parameter.
	MaxInstances int `json:"max_instances"`
	Totals
	// Series holds the service's own time series (without latency) in
	// runs of at most 20 services.
	Series *Series `json:"series,omitempty"`
}

// ClusterTotals describes the simulated cluster's use.
type ClusterTotals struct {
	Agents            int   `json:"agents"`
	WaitingPlacements int64 `json:"waiting_placements"`
	TaskFailures      int   `json:"task_failures"`
	// Routers, LeaderChanges, EjectVetoes (kills the peers refused) and
	// KillDelegations describe a cluster of routers (routers > 1).
	Routers         int   `json:"routers,omitempty"`
	LeaderChanges   int64 `json:"leader_changes,omitempty"`
	EjectVetoes     int64 `json:"eject_vetoes,omitempty"`
	KillDelegations int64 `json:"kill_delegations,omitempty"`
}

// RouterTotals are one router's figures in a cluster.
type RouterTotals struct {
	ID string `json:"id"`
	// Leader: it led when the run ended.
	Leader    bool    `json:"leader"`
	Requests  int64   `json:"requests"`
	Completed int64   `json:"completed"`
	Rejected  int64   `json:"rejected"`
	Errors    int64   `json:"errors"`
	LatencyMS Latency `json:"latency_ms"`
	// Stolen counts requests it served on slots peers lent it; Lent the
	// slots it offered to peers.
	Stolen  int64 `json:"stolen"`
	Lent    int64 `json:"lent"`
	Crashes int64 `json:"crashes"`
	// PeakQueued is the most requests queued on it at once (sampled).
	PeakQueued float64      `json:"peak_queued"`
	Series     RouterSeries `json:"series"`
}

// RouterSeries are one router's time series, on the run's intervals.
type RouterSeries struct {
	Arrivals    []int64   `json:"arrivals"`
	Stolen      []int64   `json:"stolen"`
	Queued      []float64 `json:"queued"`
	Outstanding []float64 `json:"outstanding"`
	Slots       []float64 `json:"slots"`
	Borrowed    []float64 `json:"borrowed"`
}

// Series are time series over the run, one point per interval.
type Series struct {
	IntervalS   float64   `json:"interval_seconds"`
	TimeS       []float64 `json:"time_seconds"`
	Arrivals    []int64   `json:"arrivals"`
	Completed   []int64   `json:"completed"`
	Rejected    []int64   `json:"rejected"`
	Outstanding []float64 `json:"outstanding"`
	Queued      []float64 `json:"queued"`
	Requested   []float64 `json:"requested_instances"`
	Healthy     []float64 `json:"healthy_instances"`
	Tasks       []float64 `json:"tasks"`
	// Desired is the sum of what the services' policies last asked for;
	// Requested is what the executor asked the scheduler for.
	Desired []float64 `json:"desired_instances"`
	// Panicking is the most services in a policy's panic mode (Knative)
	// at once in each interval.
	Panicking []float64 `json:"panicking_services"`
	P50MS     []float64 `json:"latency_p50_ms,omitempty"`
	P99MS     []float64 `json:"latency_p99_ms,omitempty"`
}

// AssertionResult is one checked assertion.
type AssertionResult struct {
	Metric  string   `json:"metric"`
	Service string   `json:"service,omitempty"`
	Value   float64  `json:"value"`
	Min     *float64 `json:"min,omitempty"`
	Max     *float64 `json:"max,omitempty"`
	Passed  bool     `json:"passed"`
}
