package realrun

import (
	"errors"
	"fmt"
	"maps"
	"net/http"
	"slices"
	"sort"
	"strconv"
	"time"

	"github.com/waiter-go/waiter/sim/load"
	"github.com/waiter-go/waiter/sim/rng"
	"github.com/waiter-go/waiter/sim/scenario"
)

// maxArrivals bounds the requests one run may plan, so a scenario meant
// for the simulator (a million requests an hour) is refused up front
// rather than swamping the machine.
const maxArrivals = 2_000_000

// service is one scenario service (or copy) as the real run plays it.
type service struct {
	name    string
	headers http.Header
	// startup is kitchen's start-up sleep.
	startup time.Duration
	id      string // the router's service id, learnt from /service-id
}

// arrival is one planned request.
type arrival struct {
	svc int
	at  time.Duration
	// work is the service time kitchen spends (x-kitchen-delay-ms).
	work time.Duration
}

// plan is everything a run sends: services and arrivals in time order.
type plan struct {
	services []*service
	arrivals []arrival
	warnings []string
}

// errUnplayable marks a scenario feature a real run cannot play.
var errUnplayable = errors.New("cannot be played for real")

// newPlan draws the run's arrivals and service times from seed, with the
// simulator's own stream names (load/<name>, times/<name>), so a real run
// and a simulated one of the same seed send the same requests.
func newPlan(sc *scenario.Scenario, seed uint64, kitchen, runTag string) (*plan, error) {
	switch {
	case sc.Trace != nil:
		return nil, fmt.Errorf("trace: %w (replay it in the simulator)", errUnplayable)
	case len(sc.Faults) > 0:
		return nil, fmt.Errorf("faults: %w (kitchen and the shell scheduler cannot inject them)", errUnplayable)
	}
	root := rng.New(seed)
	p := &plan{}
	for i := range sc.Services {
		s := &sc.Services[i]
		if s.Split != nil {
			return nil, fmt.Errorf("services[%d] %s: split: %w", i, s.Name, errUnplayable)
		}
		if err := playable(s); err != nil {
			return nil, fmt.Errorf("services[%d] %s: %w", i, s.Name, err)
		}
		copies := s.Copies()
		for c := 0; c < copies; c++ {
			name := s.CopyName(c)
			svc, warn, err := newService(&s.Behaviour, name, kitchen, runTag, string(sc.Policy))
			if err != nil {
				return nil, fmt.Errorf("service %s: %w", name, err)
			}
			p.warnings = append(p.warnings, warn...)
			idx := len(p.services)
			p.services = append(p.services, svc)
			proc, err := load.Build(*s.Load, root.Derive("load/"+name))
			if err != nil {
				return nil, fmt.Errorf("service %s: load: %w", name, err)
			}
			times := root.Derive("times/" + name)
			for {
				at, ok := proc.Next()
				if !ok || at >= sc.Duration {
					break
				}
				if len(p.arrivals) >= maxArrivals {
					return nil, fmt.Errorf("more than %d requests: too many for a real run of this machine", maxArrivals)
				}
				work := s.ServiceTime.SampleDuration(times, time.Second)
				p.arrivals = append(p.arrivals, arrival{svc: idx, at: at, work: work})
			}
		}
	}
	sort.SliceStable(p.arrivals, func(i, j int) bool { return p.arrivals[i].at < p.arrivals[j].at })
	return p, nil
}

// playable refuses behaviour kitchen cannot show.
func playable(s *scenario.Service) error {
	f := s.Failure
	switch {
	case s.HealthyAfter != nil:
		return fmt.Errorf("healthy-after: %w", errUnplayable)
	case s.SlowWhenBusy:
		return fmt.Errorf("slow-when-busy: %w", errUnplayable)
	case f.CrashAfterRequests > 0, f.BusyAbove > 0, f.NeverHealthy, f.NeverListens, f.BadCommand:
		return fmt.Errorf("failure modes: %w", errUnplayable)
	}
	return nil
}

// newService describes a service by headers: its Waiter parameters, with
// kitchen as the command. Kitchen sleeps a fixed start-up time: a
// start-up distribution is played by its mean (a warning says so). A
// service that does not choose its scaling policy gets the scenario's
// (policy, when given) as its scaling-policy parameter: the router under
// test may be anyone's (load --target), whose default is not the
// scenario's.
func newService(b *scenario.Behaviour, name, kitchen, runTag, policy string) (*service, []string, error) {
	var warn []string
	startup := kitchenStartup(b)
	if b.Startup.Kind != rng.Constant {
		warn = append(warn, fmt.Sprintf("service %s: kitchen starts in %v, the mean of its start-up %v", name, startup, b.Startup.Dist))
	}
	params := scenario.ServiceParams(b, name, "")
	params["cmd"] = fmt.Sprintf("%s -p $PORT0 --start-up-sleep-ms %d", kitchen, startup.Milliseconds())
	if _, chosen := params["scaling-policy"]; !chosen && policy != "" {
		params["scaling-policy"] = policy
	}
	// A tag of the run in the version keeps two runs on one router apart.
	if runTag != "" {
		params["version"] = fmt.Sprint(params["version"]) + "-" + runTag
	}
	h := http.Header{}
	for _, k := range slices.Sorted(maps.Keys(params)) {
		v, err := headerValue(params[k])
		if err != nil {
			return nil, nil, fmt.Errorf("params.%s: %w", k, err)
		}
		h.Set("x-waiter-"+k, v)
	}
	return &service{name: name, headers: h, startup: startup}, warn, nil
}

// headerValue writes a parameter as Waiter reads it from a header.
func headerValue(v any) (string, error) {
	switch x := v.(type) {
	case string:
		return x, nil
	case bool:
		return strconv.FormatBool(x), nil
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64), nil
	case int:
		return strconv.Itoa(x), nil
	case int64:
		return strconv.FormatInt(x, 10), nil
	}
	return "", fmt.Errorf("a %T cannot be sent as an x-waiter- header: %w", v, errUnplayable)
}

// kitchenStartup is the start-up sleep kitchen plays b's start-up with:
// its value, or the mean of a distribution.
func kitchenStartup(b *scenario.Behaviour) time.Duration {
	if b.Startup.Kind != rng.Constant {
		return time.Duration(b.Startup.ExpectedValue() * float64(time.Second)).Round(time.Millisecond)
	}
	return time.Duration(b.Startup.Value * float64(time.Second)).Round(time.Millisecond)
}

// calibrationBehaviour is the calibration service: no start-up sleep and
// the smallest resources.
var calibrationBehaviour = scenario.Behaviour{
	Params:  map[string]any{"cpus": 0.1, "mem": 64.0, "concurrency-level": 1.0},
	Startup: rng.Seconds(0),
}
