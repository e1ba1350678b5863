package shell

import (
	"fmt"
	"maps"
	"strings"
	"time"

	"github.com/waiter-go/waiter/engine"
)

// spec is the part of a service description this scheduler acts on. It is
// what service.json stores, so that a restarted router can keep launching
// and monitoring a service it adopted without the engine's Description.
type spec struct {
	ServiceID              string            `json:"service-id"`
	Cmd                    string            `json:"cmd"`
	CPUs                   float64           `json:"cpus"`
	MemMB                  float64           `json:"mem"`
	ConcurrencyLevel       int               `json:"concurrency-level"`
	RunAsUser              string            `json:"run-as-user,omitempty"`
	MetricGroup            string            `json:"metric-group,omitempty"`
	Env                    map[string]string `json:"env,omitempty"`
	Ports                  int               `json:"ports"`
	BackendProto           string            `json:"backend-proto,omitempty"`
	HealthCheckURL         string            `json:"health-check-url"`
	HealthCheckPortIndex   int               `json:"health-check-port-index"`
	HealthCheckInterval    time.Duration     `json:"health-check-interval"`
	HealthCheckMaxFailures int               `json:"health-check-max-consecutive-failures"`
	GracePeriod            time.Duration     `json:"grace-period"`
	TerminationGracePeriod time.Duration     `json:"termination-grace-period"`
}

// specOf extracts the spec of d and checks that it can run here.
func specOf(d *engine.Description) (spec, error) {
	if d == nil {
		return spec{}, fmt.Errorf("%w: no description", ErrInvalidService)
	}
	sp := spec{
		ServiceID:              d.ID,
		Cmd:                    d.Cmd,
		CPUs:                   d.CPUs,
		MemMB:                  d.MemMB,
		ConcurrencyLevel:       d.ConcurrencyLevel,
		RunAsUser:              d.RunAsUser,
		MetricGroup:            d.MetricGroup,
		Env:                    maps.Clone(d.Env),
		Ports:                  d.Ports,
		BackendProto:           d.BackendProto,
		HealthCheckURL:         d.HealthCheckURL,
		HealthCheckPortIndex:   d.HealthCheckPortIndex,
		HealthCheckInterval:    d.HealthCheckInterval,
		HealthCheckMaxFailures: d.HealthCheckMaxFailures,
		GracePeriod:            d.GracePeriod,
		TerminationGracePeriod: d.TerminationGracePeriod,
	}
	if d.CmdType != "" && d.CmdType != "shell" {
		return sp, fmt.Errorf("%w: service %s: cmd-type %q (only shell runs here)", ErrInvalidService, d.ID, d.CmdType)
	}
	if err := sp.check(); err != nil {
		return sp, err
	}
	return sp, nil
}

// check rejects specs that would break the folder layout or the launch.
// It also guards specs read back from service.json.
func (sp *spec) check() error {
	id := sp.ServiceID
	if id == "" || id == "." || id == ".." || len(id) > 255 || strings.ContainsAny(id, "/\x00") {
		return fmt.Errorf("%w: service id %q is not a safe folder name", ErrInvalidService, id)
	}
	if strings.TrimSpace(sp.Cmd) == "" {
		return fmt.Errorf("%w: service %s: empty cmd", ErrInvalidService, id)
	}
	if sp.Ports < 1 {
		sp.Ports = 1
	}
	if sp.HealthCheckPortIndex < 0 || sp.HealthCheckPortIndex >= sp.Ports {
		return fmt.Errorf("%w: service %s: health-check-port-index %d needs more than %d ports",
			ErrInvalidService, id, sp.HealthCheckPortIndex, sp.Ports)
	}
	if sp.HealthCheckURL == "" {
		sp.HealthCheckURL = "/status"
	}
	if sp.HealthCheckMaxFailures < 1 {
		sp.HealthCheckMaxFailures = 1
	}
	return nil
}
