package router

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/benbjohnson/clock"
	"github.com/waiter-go/waiter"
	"github.com/waiter-go/waiter/engine"
	"github.com/waiter-go/waiter/sim"
	"github.com/waiter-go/waiter/sim/marathon"
	"github.com/waiter-go/waiter/sim/scenario"
)

// differentialScenario is a service that needs a few instances for 40 s,
// during which an operator kills one (it is replaced), then idles: it is
// scaled down instance by instance, then deleted. Latencies, start-up and service times
// are constants chosen so that no two events fall on the same instant by
// accident (the simulator orders ties by sequence, the production driver
// by goroutine scheduling).
const differentialScenario = `
name: differential
seed: 5
duration: 4m
router: {poll-interval: 2s, fast-poll-interval: 200ms, api-latency: 37ms}
marathon:
  agents: 3
  launch-latency: 731ms
services:
  - name: api
    params: {cpus: 1, mem: 256, concurrency-level: 1, health-check-interval-secs: 5, idle-timeout-mins: 2, scale-down-factor: 0.3}
    startup: 1313ms
    service-time: 1271ms
    load:
      kind: window
      start: 300ms
      end: 40s
      load: {kind: constant, rate: 1.61803, arrivals: deterministic}
faults:
  - {kind: operator-kill, start: 21123ms, service: api, count: 1}
`

// TestDriversAgree is the differential test of the two drivers: the
// simulator runs the scenario; the production driver, in a synctest
// bubble (virtual time), gets the same requests at the same times and
// runs against the same simulated cluster through the Scheduler port.
// Both make the same scheduler calls at the same times, because both run
// the engine through engine/syncer: no rule of either driver is its own.
func TestDriversAgree(t *testing.T) {
	sc, err := scenario.Parse("differential.yaml", []byte(differentialScenario))
	if err != nil {
		t.Fatal(err)
	}
	type arrival struct {
		at time.Duration
		id string
	}
	var arrivals []arrival
	var simCalls []string
	var operatorKills []engine.Action // At is the kill's time from zero
	_, err = sim.Run(sc, sim.Options{
		OnArrival: func(at time.Duration, id string) { arrivals = append(arrivals, arrival{at, id}) },
		OnCall: func(at time.Duration, a engine.Action) {
			simCalls = append(simCalls, describeCall(at, a))
			if a.Kind == engine.ActKillInstance && a.Replace {
				a.At = time.Time{}.Add(at)
				operatorKills = append(operatorKills, a)
			}
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(arrivals) < 20 || len(operatorKills) != 1 || !slices.ContainsFunc(simCalls, func(c string) bool {
		return strings.Contains(c, "kill-instance") && !strings.Contains(c, "replace")
	}) {
		t.Fatalf("the scenario exercises too little: %d arrivals, calls %v", len(arrivals), simCalls)
	}

	var prodCalls []string
	synctest.Test(t, func(t *testing.T) {
		start := time.Now()
		ms := newModelScheduler(t, sc, start)
		cfg := sim.SyncerConfig(sc)
		d := New(Config{Engine: sim.EngineConfig(sc, sc.Seed, ""), PollInterval: cfg.PollInterval,
			FastPollInterval: cfg.FastPollInterval}, ms, clock.New())
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan error, 1)
		go func() { done <- d.Run(ctx) }()

		var reqs sync.WaitGroup
		serviceTime := sc.Services[0].ServiceTime.SampleDuration(nil, time.Second)
		for _, a := range arrivals {
			desc := ms.descs[a.id]
			reqs.Go(func() {
				time.Sleep(a.at - time.Since(start))
				g, err := d.Admit(context.Background(), waiter.Admission{Description: desc, QueueTimeout: sc.Router.QueueTimeout})
				if err != nil {
					if !errors.Is(err, ErrStopped) {
						t.Errorf("request at %v: %v", a.at, err)
					}
					return
				}
				// The request ends after its service time, or fails the
				// moment its instance is killed, as in the simulator.
				r := ms.serving(g.Instance)
				select {
				case <-time.After(serviceTime):
					if ms.served(g.Instance, r) {
						d.Release(g, engine.OutcomeSuccess)
						return
					}
					<-r.dead // the kill got there first
				case <-r.dead:
				}
				d.Release(g, engine.OutcomeInstanceError)
				close(r.released)
			})
		}
		for _, k := range operatorKills {
			reqs.Go(func() {
				time.Sleep(k.At.Sub(time.Time{}) - time.Since(start))
				if err := d.KillInstance(context.Background(), k.Service, k.Instance); err != nil {
					t.Errorf("operator kill of %s: %v", k.Instance, err)
				}
			})
		}
		time.Sleep(sc.Duration)
		cancel()
		if err := <-done; err != nil {
			t.Errorf("Run: %v", err)
		}
		reqs.Wait()
		prodCalls = ms.callsBefore(sc.Duration)
	})
	t.Logf("%d calls, the first and last: %s ... %s", len(simCalls), simCalls[0], simCalls[len(simCalls)-1])
	if !slices.Equal(simCalls, prodCalls) {
		t.Errorf("the drivers' scheduler calls differ:\nsimulator:\n  %s\nproduction:\n  %s",
			strings.Join(simCalls, "\n  "), strings.Join(prodCalls, "\n  "))
	}
}

// describeCall renders a scheduler call with its time, the service id
// ("waiter-api-<hash>") shortened to its name.
func describeCall(at time.Duration, a engine.Action) string {
	s := fmt.Sprintf("+%v %s", at, engine.DescribeAction(a, time.Time{}))
	if i, j := strings.Index(a.Service, "-"), strings.LastIndex(a.Service, "-"); i < j {
		s = strings.ReplaceAll(s, a.Service, a.Service[i+1:j])
	}
	return s
}

// modelScheduler is the simulator's cluster (sim/marathon) behind the
// Scheduler port, in the bubble's time: each call is answered after the
// scenario's API latency, as the simulator's are.
type modelScheduler struct {
	t       *testing.T
	start   time.Time
	latency time.Duration
	descs   map[string]*engine.Description
	specs   map[string]*scenario.Behaviour

	mu    sync.Mutex
	model *marathon.Model
	calls []timedCall
	// inflight are the requests each instance serves.
	inflight map[string][]*inflightRequest
	// facts are what the router's own health checks learnt (as
	// adapters/marathon keeps them; sim.SyncerProbes).
	facts map[string]engine.InstanceFlags
}

// inflightRequest is a request on an instance: dead is closed when the
// instance is killed, and the request closes released once the driver
// knows it failed.
type inflightRequest struct {
	dead, released chan struct{}
}

// serving registers a request on instance.
func (m *modelScheduler) serving(instance string) *inflightRequest {
	m.mu.Lock()
	defer m.mu.Unlock()
	r := &inflightRequest{dead: make(chan struct{}), released: make(chan struct{})}
	m.inflight[instance] = append(m.inflight[instance], r)
	return r
}

// served deregisters a request that ended normally; false if its instance
// was killed meanwhile.
func (m *modelScheduler) served(instance string, r *inflightRequest) bool {
	m.mu.Lock()
	defer m.mu.Unlock()
	rs := m.inflight[instance]
	i := slices.Index(rs, r)
	if i < 0 {
		return false
	}
	m.inflight[instance] = slices.Delete(rs, i, i+1)
	return true
}

// drop fails the requests on a killed instance, as the simulator does
// (the connection drops), and waits until the driver knows: in the
// simulator that happens before the kill's result.
func (m *modelScheduler) drop(instance string) {
	rs := m.inflight[instance]
	delete(m.inflight, instance)
	m.mu.Unlock()
	for _, r := range rs {
		close(r.dead)
		<-r.released
	}
	m.mu.Lock()
}

type timedCall struct {
	at   time.Duration
	text string
}

func newModelScheduler(t *testing.T, sc *scenario.Scenario, start time.Time) *modelScheduler {
	m := &modelScheduler{t: t, start: start, latency: sc.Router.APILatency, model: sim.NewModel(sc, sc.Seed, nil),
		descs: map[string]*engine.Description{}, specs: map[string]*scenario.Behaviour{}, inflight: map[string][]*inflightRequest{}, facts: map[string]engine.InstanceFlags{}}
	for i := range sc.Services {
		s := &sc.Services[i]
		d, err := engine.NewDescription(scenario.ServiceParams(&s.Behaviour, s.Name, ""), engine.DescriptionOptions{})
		if err != nil {
			t.Fatal(err)
		}
		m.descs[d.ID], m.specs[d.ID] = d, &s.Behaviour
	}
	return m
}

func (m *modelScheduler) now() time.Duration { return time.Since(m.start) }

// call records a, waits the API latency, then runs do on the model.
func (m *modelScheduler) call(a engine.Action, do func(now time.Duration) error) error {
	m.mu.Lock()
	m.calls = append(m.calls, timedCall{m.now(), describeCall(m.now(), a)})
	m.mu.Unlock()
	time.Sleep(m.latency)
	m.mu.Lock()
	defer m.mu.Unlock()
	return do(m.now())
}

func (m *modelScheduler) callsBefore(end time.Duration) []string {
	m.mu.Lock()
	defer m.mu.Unlock()
	var out []string
	for _, c := range m.calls {
		if c.at < end {
			out = append(out, c.text)
		}
	}
	return out
}

func (m *modelScheduler) CreateService(_ context.Context, d *engine.Description, n int) error {
	return m.call(engine.Action{Kind: engine.ActCreateService, Service: d.ID, Instances: n}, func(now time.Duration) error {
		_, err := m.model.CreateApp(now, sim.AppSpec(d, m.specs[d.ID], n))
		if errors.Is(err, marathon.ErrAppExists) {
			return nil
		}
		return err
	})
}

func (m *modelScheduler) ScaleService(_ context.Context, id string, n int, force bool) error {
	return m.call(engine.Action{Kind: engine.ActScaleService, Service: id, Instances: n, Force: force}, func(now time.Duration) error {
		if app := m.model.App(id); force && app != nil {
			n = engine.ForcedScaleCount(n, len(app.Tasks))
		}
		return m.model.ScaleApp(now, id, n, true)
	})
}

func (m *modelScheduler) KillInstance(_ context.Context, id, instance string, opts engine.KillOptions) error {
	a := engine.Action{Kind: engine.ActKillInstance, Service: id, Instance: instance, Force: opts.Force, Replace: opts.Replace}
	return m.call(a, func(now time.Duration) error {
		err := m.model.KillTask(now, id, instance, !opts.Replace, opts.Force)
		if err == nil {
			m.drop(instance)
		}
		return err
	})
}

func (m *modelScheduler) DeleteService(_ context.Context, id string) error {
	return m.call(engine.Action{Kind: engine.ActDeleteService, Service: id}, func(now time.Duration) error {
		if app := m.model.App(id); app != nil {
			for _, tk := range app.Tasks {
				m.drop(tk.ID)
			}
		}
		if err := m.model.DeleteApp(now, id); err != nil && !errors.Is(err, marathon.ErrAppNotFound) {
			return err
		}
		return nil
	})
}

// Observe answers after the API latency with the model as it is then,
// once every other goroutine of the bubble is blocked: calls answered at
// the same instant have changed the model first, as in the simulator.
func (m *modelScheduler) Observe(context.Context) (map[string]engine.Observation, error) {
	time.Sleep(m.latency)
	synctest.Wait()
	m.mu.Lock()
	defer m.mu.Unlock()
	m.model.Advance(m.now())
	out := map[string]engine.Observation{}
	for _, id := range m.model.AppIDs() {
		var o engine.Observation
		sim.AppObservation(m.model.App(id), m.start, &o, func(*marathon.Task) uint64 { return 0 })
		// adapters/marathon checks instances Marathon does not call
		// healthy yet itself.
		sim.SyncerProbes(m.model, m.now(), m.model.App(id), &o, m.facts, nil)
		out[id] = o
	}
	sim.PruneFacts(m.model, m.facts)
	return out, nil
}
