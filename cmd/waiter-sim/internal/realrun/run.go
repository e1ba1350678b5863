package realrun

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/waiter-go/waiter/sim"
	"github.com/waiter-go/waiter/sim/scenario"
)

// Options configure one real run.
type Options struct {
	// Target is the router's URL (http://127.0.0.1:9091).
	Target string
	// Seed replaces the scenario's seed when non-nil.
	Seed *uint64
	// Kitchen is the kitchen binary the services run.
	Kitchen string
	// RunTag, when set, goes into every service's version, so runs on one
	// router do not share services.
	RunTag string
	// Drain bounds how long the run waits for requests still in flight at
	// the scenario's end (default 30s); later answers are not waited for.
	Drain time.Duration
	// Warn receives notes on how the scenario was played (may be nil).
	Warn func(string)
}

// Result is a real run: its report, the arrivals it sent (by service name,
// for the simulator to replay) and every request.
type Result struct {
	Report   *sim.Report
	Arrivals map[string][]time.Duration
	Requests []Request
	// Started is the wall time of the run's time zero.
	Started time.Time
	// Passes is how late the router ran its scaling passes.
	Passes PassLateness
}

// Request is one request of a real run, as the per-request log holds it.
type Request struct {
	Service string `json:"service"`
	// AtMS is when it was due, from the start of the run; SentMS when it
	// went out (later under a loaded machine).
	AtMS      float64 `json:"at_ms"`
	SentMS    float64 `json:"sent_ms"`
	WorkMS    float64 `json:"service_time_ms"`
	LatencyMS float64 `json:"latency_ms"`
	Status    int     `json:"status"`
	// Outcome: ok, error (an instance's or a proxy failure) or rejected
	// (the router refused it: queue timeout, too many requests ...), or
	// unanswered when the run ended first.
	Outcome string `json:"outcome"`
	Reason  string `json:"reason,omitempty"`
	done    time.Duration
}

// The outcomes of a request.
const (
	outcomeOK         = "ok"
	outcomeError      = "error"
	outcomeRejected   = "rejected"
	outcomeUnanswered = "unanswered"
)

// Run plays sc against opts.Target and returns its report. It stops
// sending at the scenario's end and returns at most Drain later; it
// starts nothing but HTTP requests, all of which are over when it returns.
func Run(ctx context.Context, sc *scenario.Scenario, opts Options) (*Result, error) {
	seed := sc.Seed
	if opts.Seed != nil {
		seed = *opts.Seed
	}
	if opts.Drain <= 0 {
		opts.Drain = 30 * time.Second
	}
	target := strings.TrimRight(opts.Target, "/")
	p, err := newPlan(sc, seed, opts.Kitchen, opts.RunTag)
	if err != nil {
		return nil, err
	}
	for _, w := range p.warnings {
		if opts.Warn != nil {
			opts.Warn(w)
		}
	}
	client := newClient()
	defer client.CloseIdleConnections()
	for _, s := range p.services {
		if s.id, err = serviceID(ctx, client, target, s.headers); err != nil {
			return nil, fmt.Errorf("service %s: %w", s.name, err)
		}
	}

	runCtx, cancel := context.WithCancel(ctx)
	defer cancel()
	reqs := make([]Request, len(p.arrivals))
	smp := newSampler(client, target, p.services)
	start := time.Now()
	var wg sync.WaitGroup
	sampled := make(chan struct{})
	go func() {
		defer close(sampled)
		smp.run(runCtx, start, sc.Duration)
	}()
	timeout := sc.Router.QueueTimeout + opts.Drain
	for i, a := range p.arrivals {
		if d := time.Until(start.Add(a.at)); d > 0 {
			t := time.NewTimer(d)
			select {
			case <-t.C:
			case <-runCtx.Done():
				t.Stop()
			}
		}
		if runCtx.Err() != nil {
			reqs = reqs[:i]
			break
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			reqs[i] = send(runCtx, client, target, p.services[a.svc], a, start, timeout)
		}()
	}
	// Sample to the scenario's end, then let the requests still in
	// flight finish, within Drain.
	select {
	case <-sampled:
	case <-ctx.Done():
	}
	drained := make(chan struct{})
	go func() { wg.Wait(); close(drained) }()
	select {
	case <-drained:
	case <-time.After(opts.Drain):
	case <-ctx.Done():
	}
	cancel()
	wg.Wait()
	<-sampled
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("real run: %w", err)
	}
	if smp.failures > 0 && len(smp.samples) == 0 {
		return nil, fmt.Errorf("real run: the router never answered /state: %w", smp.lastErr)
	}
	res := &Result{Requests: reqs, Started: start, Arrivals: map[string][]time.Duration{},
		Passes: passLateness(smp.wakes, sc.Router.ScalingInterval)}
	for _, a := range p.arrivals[:len(reqs)] {
		n := p.services[a.svc].name
		res.Arrivals[n] = append(res.Arrivals[n], a.at)
	}
	res.Report = buildReport(sc, seed, p, reqs, smp)
	return res, nil
}

// newClient is the load's HTTP client: connections are reused, and as
// many may be open as requests are in flight (open loop).
func newClient() *http.Client {
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.MaxIdleConns = 1024
	tr.MaxIdleConnsPerHost = 1024
	tr.Proxy = nil
	return &http.Client{Transport: tr}
}

// serviceID asks the router for the id of the service headers describe.
func serviceID(ctx context.Context, c *http.Client, target string, h http.Header) (string, error) {
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, target+"/service-id", nil)
	if err != nil {
		return "", err
	}
	req.Header = h.Clone()
	resp, err := c.Do(req)
	if err != nil {
		return "", fmt.Errorf("GET /service-id: %w", err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	if err != nil {
		return "", fmt.Errorf("GET /service-id: %w", err)
	}
	if resp.StatusCode != http.StatusOK {
		return "", fmt.Errorf("GET /service-id: %s: %s", resp.Status, strings.TrimSpace(string(b)))
	}
	return strings.TrimSpace(string(b)), nil
}

// send makes one request of a at its time and measures it from then (a
// late send counts against the latency, as a client would see it).
func send(ctx context.Context, c *http.Client, target string, s *service, a arrival, start time.Time, timeout time.Duration) Request {
	r := Request{Service: s.name, AtMS: sim.MS(a.at), WorkMS: sim.MS(a.work), SentMS: sim.MS(time.Since(start))}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, target+"/req", nil)
	if err != nil {
		r.Outcome, r.Reason = outcomeError, err.Error()
		return r
	}
	req.Header = s.headers.Clone()
	req.Header.Set("x-kitchen-delay-ms", fmt.Sprint(a.work.Round(time.Millisecond).Milliseconds()))
	req.Header.Set("Accept", "application/json")
	resp, err := c.Do(req)
	var body []byte
	if err == nil {
		body, err = io.ReadAll(io.LimitReader(resp.Body, 1<<20))
		resp.Body.Close()
	}
	r.done = time.Since(start)
	r.LatencyMS = sim.MS(r.done - a.at)
	switch {
	case err != nil && errors.Is(ctx.Err(), context.Canceled):
		r.Outcome = outcomeUnanswered
	case err != nil:
		r.Outcome, r.Reason = outcomeError, err.Error()
	default:
		r.Status = resp.StatusCode
		r.Outcome, r.Reason = classify(resp.StatusCode, body)
	}
	return r
}

// classify tells an answer of the service from a refusal of the router:
// the router's own errors carry a waiter-error body; 503 and 429 from it
// mean the request never reached an instance.
func classify(status int, body []byte) (string, string) {
	if status < 300 {
		return outcomeOK, ""
	}
	var we struct {
		Error *struct {
			Message string `json:"message"`
		} `json:"waiter-error"`
	}
	if json.Unmarshal(body, &we) == nil && we.Error != nil {
		if status == http.StatusServiceUnavailable || status == http.StatusTooManyRequests {
			return outcomeRejected, fmt.Sprintf("%d %s", status, firstWords(we.Error.Message))
		}
		return outcomeError, fmt.Sprintf("%d %s", status, firstWords(we.Error.Message))
	}
	return outcomeError, fmt.Sprintf("%d from the service", status)
}

// firstWords keeps a reason short enough to group by.
func firstWords(s string) string {
	if i := strings.IndexAny(s, ".:("); i > 0 {
		s = s[:i]
	}
	if len(s) > 60 {
		s = s[:60]
	}
	return strings.TrimSpace(s)
}
