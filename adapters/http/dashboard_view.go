package waiterhttp

import (
	"github.com/waiter-go/waiter"
	"sort"
	"time"
)

// dashboardData is what GET /dashboard/data returns. Times are RFC 3339;
// history columns are uPlot's layout: one array per series, x in unix
// seconds.
type dashboardData struct {
	Router           dashboardRouter        `json:"router"`
	Routers          []dashboardRouter      `json:"routers"`
	Totals           dashboardTotals        `json:"totals"`
	History          historyColumns         `json:"history"`
	Services         []dashboardService     `json:"services"`
	Service          *dashboardDetail       `json:"service,omitempty"`
	DeploymentErrors []dashboardDeployError `json:"deployment-errors"`
	Tokens           []dashboardToken       `json:"tokens"`
	TokensError      string                 `json:"tokens-error,omitempty"`
}

type dashboardRouter struct {
	ID      string `json:"id"`
	Address string `json:"address"`
	Version string `json:"version"`
	Cluster string `json:"cluster"`
	Started string `json:"started"`
	Now     string `json:"now"`
	Leader  bool   `json:"leader"`
	Self    bool   `json:"self"`
}

type dashboardTotals struct {
	Services    int `json:"services"`
	Running     int `json:"running"`
	Starting    int `json:"starting"`
	Failing     int `json:"failing"`
	Inactive    int `json:"inactive"`
	Requested   int `json:"requested-instances"`
	Desired     int `json:"desired-instances"`
	Healthy     int `json:"healthy-instances"`
	Outstanding int `json:"outstanding-requests"`
	Waiting     int `json:"waiting-requests"`
}

// historyColumns holds samples column by column.
type historyColumns struct {
	Time        []float64 `json:"time"`
	Requested   []int     `json:"requested"`
	Desired     []int     `json:"desired"`
	Healthy     []int     `json:"healthy"`
	Outstanding []int     `json:"outstanding"`
	Waiting     []int     `json:"waiting"`
}

type dashboardService struct {
	ID              string          `json:"id"`
	Name            string          `json:"name"`
	Status          string          `json:"status"`
	ScalingState    string          `json:"scaling-state"`
	Policy          string          `json:"policy"`
	Suspended       bool            `json:"suspended"`
	Requested       int             `json:"requested"`
	Desired         int             `json:"desired"`
	Scheduled       int             `json:"scheduled"`
	Healthy         int             `json:"healthy"`
	Starting        int             `json:"starting"`
	Unhealthy       int             `json:"unhealthy"`
	Outstanding     int             `json:"outstanding"`
	Waiting         int             `json:"waiting"`
	InFlight        int             `json:"in-flight"`
	TotalRequests   uint64          `json:"total-requests"`
	LastRequest     string          `json:"last-request-time,omitempty"`
	DeploymentError string          `json:"deployment-error,omitempty"`
	Tokens          []string        `json:"tokens"`
	Counters        serviceCounters `json:"counters"`
}

type serviceCounters struct {
	ColdStarts uint64 `json:"cold-starts"`
	Launched   uint64 `json:"launched"`
	Killed     uint64 `json:"killed"`
	Failed     uint64 `json:"failed"`
}

// dashboardDetail is the selected service: its history, its instances
// and the parameters people look for first.
type dashboardDetail struct {
	dashboardService
	Parameters map[string]any      `json:"parameters"`
	History    historyColumns      `json:"history"`
	Active     []dashboardInstance `json:"active-instances"`
	Failed     []dashboardInstance `json:"failed-instances"`
	Killed     []dashboardInstance `json:"killed-instances"`
}

type dashboardInstance struct {
	ID                string   `json:"id"`
	Host              string   `json:"host"`
	Port              int      `json:"port"`
	Started           string   `json:"started-at,omitempty"`
	Healthy           bool     `json:"healthy"`
	Starting          bool     `json:"starting"`
	HealthCheckStatus int      `json:"health-check-status,omitempty"`
	InFlight          int      `json:"in-flight"`
	Flags             []string `json:"flags"`
	Message           string   `json:"message,omitempty"`
	ExitCode          *int     `json:"exit-code,omitempty"`
}

type dashboardDeployError struct {
	ServiceID string `json:"service-id"`
	Name      string `json:"name"`
	Message   string `json:"message"`
	Since     string `json:"since"`
	Until     string `json:"until,omitempty"`
}

type dashboardToken struct {
	Name        string   `json:"name"`
	Owner       string   `json:"owner"`
	Services    []string `json:"services"`
	UpdatedAt   string   `json:"last-update-time,omitempty"`
	UpdatedBy   string   `json:"last-update-user,omitempty"`
	Maintenance bool     `json:"maintenance"`
}

// detailParameters are the parameters the detail shows: what a person
// checks first, never env (whose values only some users may see).
var detailParameters = []string{"cmd", "version", "cpus", "mem", "run-as-user", "permitted-user",
	"min-instances", "max-instances", "concurrency-level", "scaling-policy", "health-check-url",
	"grace-period-secs", "idle-timeout-mins", "metric-group"}

// statusRank orders services with problems first.
var statusRank = map[string]int{statusFailing: 0, statusStarting: 1, statusRunning: 2, statusInactive: 3}

// dashboardView builds the page's data for user; selected names the
// service whose detail is wanted ("" for none). The only error is the
// token store's, and it is shown on the page rather than failing it.
func (s *Server) dashboardView(user, host, selected string) (dashboardData, error) {
	now := s.clock.Now()
	self := dashboardRouter{ID: s.cfg.RouterID, Address: host, Version: s.cfg.Version, Cluster: s.cfg.Cluster,
		Started: rfc3339(s.started), Now: rfc3339(now), Leader: true, Self: true}
	out := dashboardData{Router: self, Routers: []dashboardRouter{self},
		Services: []dashboardService{}, DeploymentErrors: []dashboardDeployError{}, Tokens: []dashboardToken{}}

	snaps := s.router.Services()
	sort.Slice(snaps, func(i, j int) bool {
		a, b := snaps[i], snaps[j]
		if ra, rb := statusRank[serviceStatus(a)], statusRank[serviceStatus(b)]; ra != rb {
			return ra < rb
		}
		if na, nb := nameOf(a.Description), nameOf(b.Description); na != nb {
			return na < nb
		}
		return a.ID < b.ID
	})
	byToken := map[string][]string{}
	for _, snap := range snaps {
		snap = s.visibleSnapshot(user, snap)
		ds := s.dashboardService(snap)
		out.Services = append(out.Services, ds)
		for _, t := range ds.Tokens {
			byToken[t] = append(byToken[t], snap.ID)
		}
		out.Totals.add(ds)
		if snap.ID == selected {
			out.Service = s.dashboardDetail(ds, snap, now)
		}
	}

	hk, _ := s.router.(waiter.HistoryKeeper)
	var total []waiter.HistorySample
	if hk != nil {
		total = hk.TotalHistory()
		for _, e := range hk.DeploymentErrors() {
			out.DeploymentErrors = append(out.DeploymentErrors, dashboardDeployError{ServiceID: e.ServiceID,
				Name: e.Name, Message: e.Message, Since: rfc3339(e.Since), Until: rfc3339(e.Until)})
		}
	}
	t := out.Totals
	out.History = columnsOf(append(total, waiter.HistorySample{At: now, Requested: t.Requested, Desired: t.Desired,
		Healthy: t.Healthy, Outstanding: t.Outstanding, Waiting: t.Waiting}))
	if d := out.Service; d != nil {
		var past []waiter.HistorySample
		if hk != nil {
			past = hk.ServiceHistory(d.ID)
		}
		d.History = columnsOf(append(past, waiter.HistorySample{At: now, Requested: d.Requested,
			Desired: d.Desired, Healthy: d.Healthy, Outstanding: d.Outstanding, Waiting: d.Waiting}))
	}

	tokens, err := s.store.ListTokens(waiter.TokenFilter{})
	if err != nil {
		out.TokensError = toError(err).Message
	}
	for _, tk := range tokens {
		owner, _ := tk.Data["owner"].(string)
		by, _ := tk.Data["last-update-user"].(string)
		out.Tokens = append(out.Tokens, dashboardToken{Name: tk.Name, Owner: owner, Services: nonNil(byToken[tk.Name]),
			UpdatedAt: rfc3339(updateTime(tk)), UpdatedBy: by, Maintenance: maintenanceMessage(tk.Data) != ""})
	}
	return out, nil
}

func (s *Server) dashboardService(snap waiter.ServiceSnapshot) dashboardService {
	healthy := snap.Healthy()
	ds := dashboardService{ID: snap.ID, Name: nameOf(snap.Description), Status: serviceStatus(snap),
		ScalingState: snap.ScalingState, Policy: snap.Autoscaler.Policy, Suspended: snap.Suspended,
		Requested: snap.Requested, Desired: snap.Desired(), Scheduled: snap.Scheduled, Healthy: healthy,
		Starting: snap.Starting, Unhealthy: len(snap.Instances) - healthy,
		Outstanding: snap.Waiting + snap.InFlight, Waiting: snap.Waiting, InFlight: snap.InFlight,
		TotalRequests: snap.TotalRequests, LastRequest: rfc3339(snap.LastRequestTime),
		DeploymentError: snap.DeploymentError, Tokens: []string{},
		Counters: serviceCounters{ColdStarts: snap.Counters.ColdStarts, Launched: snap.Counters.Launched,
			Killed: snap.Counters.Killed, Failed: snap.Counters.Failed}}
	for _, ref := range s.sourcesOf(snap.ID) {
		ds.Tokens = append(ds.Tokens, ref.Token)
	}
	return ds
}

func (s *Server) dashboardDetail(ds dashboardService, snap waiter.ServiceSnapshot, now time.Time) *dashboardDetail {
	d := &dashboardDetail{dashboardService: ds, Parameters: map[string]any{}}
	core := coreOf(snap)
	if snap.Description != nil {
		core = snap.Description.Effective()
	}
	for _, k := range detailParameters {
		if v, ok := core[k]; ok {
			d.Parameters[k] = v
		}
	}
	d.Active, d.Failed, d.Killed = dashboardInstances(snap.Instances), dashboardInstances(snap.Failed), dashboardInstances(snap.Killed)
	return d
}

func dashboardInstances(list []waiter.InstanceSnapshot) []dashboardInstance {
	out := make([]dashboardInstance, 0, len(list))
	for _, in := range list {
		di := dashboardInstance{ID: in.ID, Host: in.Host, Port: in.Port, Started: rfc3339(in.StartedAt),
			Healthy: in.Healthy, Starting: in.Starting, HealthCheckStatus: in.HealthCheckStatus,
			InFlight: in.InFlight, Flags: flagNames(in.Flags, in.Expired), Message: in.Message}
		if in.HasExitCode {
			code := in.ExitCode
			di.ExitCode = &code
		}
		out = append(out, di)
	}
	return out
}

func (t *dashboardTotals) add(s dashboardService) {
	t.Services++
	switch s.Status {
	case statusRunning:
		t.Running++
	case statusStarting:
		t.Starting++
	case statusFailing:
		t.Failing++
	default:
		t.Inactive++
	}
	t.Requested += s.Requested
	t.Desired += s.Desired
	t.Healthy += s.Healthy
	t.Outstanding += s.Outstanding
	t.Waiting += s.Waiting
}

func columnsOf(samples []waiter.HistorySample) historyColumns {
	c := historyColumns{Time: make([]float64, len(samples)), Requested: make([]int, len(samples)),
		Desired: make([]int, len(samples)), Healthy: make([]int, len(samples)),
		Outstanding: make([]int, len(samples)), Waiting: make([]int, len(samples))}
	for i, s := range samples {
		c.Time[i] = float64(s.At.UnixMilli()) / 1000
		c.Requested[i], c.Desired[i], c.Healthy[i] = s.Requested, s.Desired, s.Healthy
		c.Outstanding[i], c.Waiting[i] = s.Outstanding, s.Waiting
	}
	return c
}

// rfc3339 renders a time for the page; "" for none.
func rfc3339(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339)
}
