package fakemarathon

import (
	"bytes"
	"encoding/json"
	"fmt"
	"regexp"
	"strings"
	"time"

	"github.com/waiter-go/waiter/sim/marathon"
)

// Service ports come from Marathon's local_port_min..local_port_max.
const (
	servicePortMin = 10000
	servicePortMax = 20000
)

// appDef is an app definition as Marathon 1.4 keeps and writes it
// (Formats.scala AppDefWrites). Fields the simulator only stores are
// raw JSON, echoed back as given.
type appDef struct {
	ID                         string            `json:"id"`
	Cmd                        *string           `json:"cmd"`
	Args                       []string          `json:"args"`
	User                       *string           `json:"user"`
	Env                        map[string]string `json:"env"`
	Instances                  int               `json:"instances"`
	CPUs                       float64           `json:"cpus"`
	Mem                        float64           `json:"mem"`
	Disk                       float64           `json:"disk"`
	GPUs                       int               `json:"gpus"`
	Executor                   string            `json:"executor"`
	Constraints                json.RawMessage   `json:"constraints"`
	URIs                       []string          `json:"uris"`
	Fetch                      json.RawMessage   `json:"fetch"`
	StoreURLs                  []string          `json:"storeUrls"`
	BackoffSeconds             float64           `json:"backoffSeconds"`
	BackoffFactor              float64           `json:"backoffFactor"`
	MaxLaunchDelaySeconds      float64           `json:"maxLaunchDelaySeconds"`
	Container                  json.RawMessage   `json:"container"`
	HealthChecks               []healthCheck     `json:"healthChecks"`
	ReadinessChecks            json.RawMessage   `json:"readinessChecks"`
	Dependencies               []string          `json:"dependencies"`
	UpgradeStrategy            json.RawMessage   `json:"upgradeStrategy"`
	Labels                     map[string]string `json:"labels"`
	AcceptedResourceRoles      []string          `json:"acceptedResourceRoles,omitempty"`
	IPAddress                  json.RawMessage   `json:"ipAddress"`
	Residency                  json.RawMessage   `json:"residency"`
	Secrets                    json.RawMessage   `json:"secrets"`
	TaskKillGracePeriodSeconds *float64          `json:"taskKillGracePeriodSeconds"`
	UnreachableStrategy        json.RawMessage   `json:"unreachableStrategy"`
	KillSelection              string            `json:"killSelection"`
	Ports                      []int             `json:"ports"`
	PortDefinitions            []portDefinition  `json:"portDefinitions"`
	RequirePorts               bool              `json:"requirePorts"`
}

type portDefinition struct {
	Port     int               `json:"port"`
	Protocol string            `json:"protocol"`
	Name     string            `json:"name,omitempty"`
	Labels   map[string]string `json:"labels"`
}

// healthCheck is one of an app's health checks; decoding fills in
// Marathon's defaults for absent fields (HealthCheck.scala).
type healthCheck struct {
	Protocol               string          `json:"protocol"`
	Path                   *string         `json:"path,omitempty"`
	PortIndex              *int            `json:"portIndex,omitempty"`
	Port                   *int            `json:"port,omitempty"`
	Command                json.RawMessage `json:"command,omitempty"`
	GracePeriodSeconds     int             `json:"gracePeriodSeconds"`
	IntervalSeconds        int             `json:"intervalSeconds"`
	TimeoutSeconds         int             `json:"timeoutSeconds"`
	MaxConsecutiveFailures int             `json:"maxConsecutiveFailures"`
	IgnoreHTTP1xx          bool            `json:"ignoreHttp1xx"`
}

func (h *healthCheck) UnmarshalJSON(b []byte) error {
	type plain healthCheck
	p := plain{Protocol: "HTTP", GracePeriodSeconds: 300, IntervalSeconds: 60, TimeoutSeconds: 20,
		MaxConsecutiveFailures: 3}
	if err := json.Unmarshal(b, &p); err != nil {
		return err
	}
	p.Protocol = strings.ToUpper(p.Protocol)
	if p.Protocol != "COMMAND" && !strings.HasSuffix(p.Protocol, "TCP") {
		if p.Path == nil {
			root := "/"
			p.Path = &root
		}
		if p.PortIndex == nil && p.Port == nil {
			zero := 0
			p.PortIndex = &zero
		}
	}
	*h = healthCheck(p)
	return nil
}

// defaultDef is an app with Marathon's defaults (AppDefinition.scala).
func defaultDef() appDef {
	return appDef{
		Env: map[string]string{}, Instances: 1, CPUs: 1, Mem: 128,
		Constraints: raw(`[]`), URIs: []string{}, Fetch: raw(`[]`), StoreURLs: []string{},
		BackoffSeconds: 1, BackoffFactor: 1.15, MaxLaunchDelaySeconds: 3600,
		HealthChecks: []healthCheck{}, ReadinessChecks: raw(`[]`), Dependencies: []string{},
		UpgradeStrategy: raw(`{"minimumHealthCapacity":1,"maximumOverCapacity":1}`),
		Labels:          map[string]string{}, Secrets: raw(`{}`),
		UnreachableStrategy: raw(`{"inactiveAfterSeconds":300,"expungeAfterSeconds":600}`),
		KillSelection:       "YOUNGEST_FIRST",
		PortDefinitions:     []portDefinition{{Port: 0, Protocol: "tcp", Name: "default", Labels: map[string]string{}}},
	}
}

func raw(s string) json.RawMessage { return json.RawMessage(s) }

// readOnly are keys Marathon writes but ignores in a request.
var readOnly = map[string]bool{"tasks": true, "tasksRunning": true, "tasksStaged": true, "tasksHealthy": true,
	"tasksUnhealthy": true, "deployments": true, "lastTaskFailure": true, "taskStats": true, "versionInfo": true,
	"readinessCheckResults": true, "version": true}

// decodeObject reads a JSON object body, or reports it as 400.
func decodeObject(b []byte) (map[string]json.RawMessage, error) {
	var m map[string]json.RawMessage
	if err := json.Unmarshal(b, &m); err != nil || m == nil {
		if err == nil {
			err = fmt.Errorf("expected a JSON object")
		}
		return nil, &apiError{status: 400, msg: "Invalid JSON", details: []detail{{Path: "/", Errors: []string{err.Error()}}}}
	}
	return m, nil
}

// merge applies the fields of body over base, as a create (over the
// defaults) or a partial update does. A null counts as absent (Marathon
// reads ports and dependencies with readNullable; go-marathon sends both
// as null in every body).
func merge(base appDef, body map[string]json.RawMessage) (appDef, error) {
	b, err := json.Marshal(base)
	if err != nil {
		return base, err
	}
	var m map[string]json.RawMessage
	if err := json.Unmarshal(b, &m); err != nil {
		return base, err
	}
	has := func(k string) bool {
		v, ok := body[k]
		return ok && !bytes.Equal(bytes.TrimSpace(v), []byte("null"))
	}
	for k, v := range body {
		if !readOnly[k] && has(k) {
			m[k] = v
		}
	}
	// One of a pair replaces the other.
	for _, pair := range [][2]string{{"ports", "portDefinitions"}, {"cmd", "args"}} {
		for i := range 2 {
			if has(pair[i]) && !has(pair[1-i]) {
				delete(m, pair[1-i])
			}
		}
	}
	b, err = json.Marshal(m)
	if err != nil {
		return base, err
	}
	var d appDef
	if err := json.Unmarshal(b, &d); err != nil {
		return base, &apiError{status: 422, msg: "Object is not valid", details: []detail{{Path: "/", Errors: []string{err.Error()}}}}
	}
	if d.PortDefinitions == nil {
		for _, p := range d.Ports {
			d.PortDefinitions = append(d.PortDefinitions, portDefinition{Port: p, Protocol: "tcp", Labels: map[string]string{}})
		}
	}
	if d.Env == nil {
		d.Env = map[string]string{}
	}
	if d.Labels == nil {
		d.Labels = map[string]string{}
	}
	if d.HealthChecks == nil {
		d.HealthChecks = []healthCheck{}
	}
	if d.Dependencies == nil {
		d.Dependencies = []string{}
	}
	return d, nil
}

// assignServicePorts gives every port definition of 0 a service port of
// its own and mirrors them in ports. s.mu held.
func (s *Server) assignServicePorts(d *appDef) {
	d.Ports = make([]int, len(d.PortDefinitions))
	for i := range d.PortDefinitions {
		if d.PortDefinitions[i].Port == 0 {
			d.PortDefinitions[i].Port = s.servicePort
			if s.servicePort++; s.servicePort > servicePortMax {
				s.servicePort = servicePortMin
			}
		}
		d.Ports[i] = d.PortDefinitions[i].Port
	}
}

// segment is a valid path segment of an app id (PathId.scala).
var segment = regexp.MustCompile(`^(([a-z0-9]|[a-z0-9][a-z0-9\-]*[a-z0-9])\.)*([a-z0-9]|[a-z0-9][a-z0-9\-]*[a-z0-9])$`)

// appID turns an id as a client writes it ("/grp/x", "grp/x") into the
// model's ("grp/x").
func appID(id string) string { return strings.Trim(id, "/") }

// validate checks d as Marathon's AppDefinition validator does, for the
// rules that matter here; it returns every violation.
func (s *Server) validate(d *appDef) []detail {
	var out []detail
	bad := func(path, msg string) { out = append(out, detail{Path: path, Errors: []string{msg}}) }
	id := appID(d.ID)
	if id == "" {
		bad("/id", "error.path.missing")
	}
	for _, seg := range strings.Split(id, "/") {
		if id != "" && !segment.MatchString(seg) {
			bad("/id", fmt.Sprintf("'%s' contains invalid characters (allowed: lowercase letters, digits, hyphens, \".\", \"..\")", d.ID))
			break
		}
	}
	hasCmd, hasArgs, hasContainer := d.Cmd != nil && *d.Cmd != "", len(d.Args) > 0, len(d.Container) > 0 && string(d.Container) != "null"
	switch {
	case !hasCmd && !hasArgs && !hasContainer:
		bad("/", "AppDefinition must either contain one of 'cmd' or 'args', and/or a 'container'.")
	case hasCmd && hasArgs:
		bad("/", "AppDefinition must either contain one of 'cmd' or 'args', and/or a 'container'.")
	}
	if hasContainer && !s.cfg.Simulated {
		bad("/container", "not supported: the simulated Marathon runs commands as local processes")
	}
	if d.CPUs <= 0 {
		bad("/cpus", fmt.Sprintf("got %v, expected more than 0.0", d.CPUs))
	}
	if d.Mem <= 0 {
		bad("/mem", fmt.Sprintf("got %v, expected more than 0.0", d.Mem))
	}
	if d.Disk < 0 {
		bad("/disk", fmt.Sprintf("got %v, expected 0.0 or more", d.Disk))
	}
	if d.Instances < 0 {
		bad("/instances", fmt.Sprintf("got %d, expected 0 or more", d.Instances))
	}
	if d.BackoffSeconds < 0 {
		bad("/backoffSeconds", "must be 0 or more")
	}
	if d.BackoffFactor < 1 {
		bad("/backoffFactor", fmt.Sprintf("got %v, expected 1.0 or more", d.BackoffFactor))
	}
	if d.MaxLaunchDelaySeconds < 0 {
		bad("/maxLaunchDelaySeconds", "must be 0 or more")
	}
	for i, h := range d.HealthChecks {
		p := fmt.Sprintf("/healthChecks(%d)", i)
		switch h.Protocol {
		case "HTTP", "HTTPS", "TCP", "MESOS_HTTP", "MESOS_HTTPS", "MESOS_TCP":
		case "COMMAND":
			if !s.cfg.Simulated {
				bad(p+"/protocol", "not supported: the simulated Marathon runs HTTP, HTTPS and TCP checks only")
			}
		default:
			bad(p+"/protocol", fmt.Sprintf("unknown protocol %q", h.Protocol))
		}
		if h.PortIndex != nil && (*h.PortIndex < 0 || *h.PortIndex >= max(len(d.PortDefinitions), 1)) {
			bad(p+"/portIndex", fmt.Sprintf("Health check port indices must address an element of the ports array or container port mappings (got %d)", *h.PortIndex))
		}
		if h.IntervalSeconds < 1 || h.TimeoutSeconds < 1 || h.GracePeriodSeconds < 0 || h.MaxConsecutiveFailures < 0 {
			bad(p, "intervalSeconds and timeoutSeconds must be 1 or more, gracePeriodSeconds and maxConsecutiveFailures 0 or more")
		}
	}
	return out
}

// spec is the model's view of d at version.
func (s *Server) spec(d *appDef, version string) marathon.AppSpec {
	id := appID(d.ID)
	sp := marathon.AppSpec{ID: id, Instances: d.Instances, CPUs: d.CPUs, MemMB: d.Mem,
		Ports: max(len(d.PortDefinitions), 1), BackoffFactor: d.BackoffFactor, Version: version}
	sp.Program.Env = d.Env
	if d.Cmd != nil {
		sp.Program.Cmd = *d.Cmd
	}
	sp.Program.Args = d.Args
	if d.TaskKillGracePeriodSeconds != nil {
		sp.Program.KillGracePeriod = secs(*d.TaskKillGracePeriodSeconds)
	}
	if len(d.HealthChecks) > 0 {
		// The model runs one check per task: the first, as Waiter defines one.
		h := d.HealthChecks[0]
		sp.HealthCheckInterval = secs(float64(h.IntervalSeconds))
		sp.GracePeriod = secs(float64(h.GracePeriodSeconds))
		sp.MaxConsecutiveFailures = h.MaxConsecutiveFailures
		sp.Check = marathon.CheckSpec{Protocol: h.Protocol, Timeout: secs(float64(h.TimeoutSeconds))}
		if h.Path != nil {
			sp.Check.Path = *h.Path
		}
		if h.PortIndex != nil {
			sp.Check.PortIndex = *h.PortIndex
		}
	}
	if s.cfg.Simulated && s.cfg.Behavior != nil {
		sp.Behavior = s.cfg.Behavior(id)
	}
	return sp
}

func secs(f float64) time.Duration { return time.Duration(f * float64(time.Second)) }

// sameButInstances reports whether a and b differ at most in instances:
// such a change is a scale, any other a restart.
func sameButInstances(a, b appDef) bool {
	a.Instances, b.Instances = 0, 0
	x, err1 := json.Marshal(a)
	y, err2 := json.Marshal(b)
	return err1 == nil && err2 == nil && bytes.Equal(x, y)
}
