package realrun

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// gauges is one service's state at one sample, from /state/{id}.
type gauges struct {
	outstanding, queued, requested, healthy, tasks, desired float64
}

// sample is every service's state and counters at one time.
type sample struct {
	at  time.Duration
	per []gauges
}

// sampler reads the router's view every second: /state/{id} of every
// service for the gauges, /metrics for the counters (cold-start requests,
// kills), which it accumulates across a service's removal and return
// (its counters start again from 0).
type sampler struct {
	client   *http.Client
	target   string
	services []*service
	samples  []sample
	// counters accumulate each service's counter values: last seen raw
	// value, and the total so far.
	cold, killed, launched []counter
	// wakes are the router's next engine wake-ups as /state announced
	// them at each sample, from the run's start: its scaling passes
	// (passes.go).
	wakes    []time.Duration
	failures int
	lastErr  error
}

// counter accumulates a Prometheus counter that restarts from 0 when its
// service is removed and comes back.
type counter struct{ last, total float64 }

func (c *counter) see(v float64) {
	if v >= c.last {
		c.total += v - c.last
	} else {
		c.total += v // a new life of the service: counting from 0
	}
	c.last = v
}

// gone is a service no longer listed: its next life counts from 0.
func (c *counter) gone() { c.last = 0 }

func newSampler(c *http.Client, target string, svcs []*service) *sampler {
	n := len(svcs)
	return &sampler{client: c, target: target, services: svcs,
		cold: make([]counter, n), killed: make([]counter, n), launched: make([]counter, n)}
}

// run samples at 0, 1 s, 2 s ... up to end, then once more at end.
func (s *sampler) run(ctx context.Context, start time.Time, end time.Duration) {
	for i := 0; ; i++ {
		at := time.Duration(i) * time.Second
		if at > end {
			at = end
		}
		if d := time.Until(start.Add(at)); d > 0 {
			t := time.NewTimer(d)
			select {
			case <-t.C:
			case <-ctx.Done():
				t.Stop()
				return
			}
		}
		s.once(ctx, start, at)
		if at >= end {
			return
		}
	}
}

func (s *sampler) once(ctx context.Context, start time.Time, at time.Duration) {
	ctx, cancel := context.WithTimeout(ctx, 900*time.Millisecond)
	defer cancel()
	sm := sample{at: at, per: make([]gauges, len(s.services))}
	ok := true
	for i, svc := range s.services {
		g, err := s.state(ctx, svc.id)
		if err != nil {
			s.failures++
			s.lastErr = err
			ok = false
			continue
		}
		sm.per[i] = g
	}
	if err := s.metrics(ctx); err != nil {
		s.failures++
		s.lastErr = err
	}
	if w, err := s.nextWake(ctx, start); err == nil {
		s.wakes = append(s.wakes, w)
	}
	if ok {
		s.samples = append(s.samples, sm)
	}
}

// stateView is the part of /state/{id} a sample reads.
type stateView struct {
	State struct {
		Requested      *float64 `json:"requested"`
		Scheduled      float64  `json:"scheduled"`
		RequestMetrics struct {
			Outstanding float64 `json:"outstanding"`
			Waiting     float64 `json:"waiting-for-available-instance"`
		} `json:"request-metrics"`
		Autoscaler struct {
			Healthy float64  `json:"healthy-instances"`
			Target  *float64 `json:"scale-to-instances"`
		} `json:"autoscaler-state"`
	} `json:"state"`
}

func (s *sampler) state(ctx context.Context, id string) (gauges, error) {
	body, err := s.get(ctx, "/state/"+id)
	if err != nil {
		return gauges{}, err
	}
	var v stateView
	if err := json.Unmarshal(body, &v); err != nil {
		return gauges{}, fmt.Errorf("/state/%s: %w", id, err)
	}
	st := v.State
	if st.Requested == nil {
		return gauges{}, nil // the service does not run (yet, or any more)
	}
	g := gauges{outstanding: st.RequestMetrics.Outstanding, queued: st.RequestMetrics.Waiting,
		requested: *st.Requested, healthy: st.Autoscaler.Healthy, tasks: st.Scheduled, desired: *st.Requested}
	if st.Autoscaler.Target != nil {
		g.desired = *st.Autoscaler.Target
	}
	return g, nil
}

// nextWake reads when the router's engine next wakes (GET /state's
// next-wake-in-ms, whole ms), from start: the middle of the request's
// round trip plus the wait it announced. 0 when nothing is due.
func (s *sampler) nextWake(ctx context.Context, start time.Time) (time.Duration, error) {
	t0 := time.Now()
	body, err := s.get(ctx, "/state")
	if err != nil {
		return 0, err
	}
	mid := t0.Add(time.Since(t0) / 2)
	in, err := parseNextWake(body)
	if err != nil {
		return 0, err
	}
	// The router truncates to whole ms: half a ms is the unbiased guess.
	return mid.Add(in + 500*time.Microsecond).Sub(start), nil
}

// parseNextWake reads the driver's next-wake-in-ms from a GET /state body.
func parseNextWake(body []byte) (time.Duration, error) {
	var v struct {
		Driver struct {
			NextWakeInMS *int64 `json:"next-wake-in-ms"`
		} `json:"driver"`
	}
	if err := json.Unmarshal(body, &v); err != nil {
		return 0, fmt.Errorf("/state: %w", err)
	}
	if v.Driver.NextWakeInMS == nil {
		return 0, fmt.Errorf("/state: no driver.next-wake-in-ms")
	}
	if *v.Driver.NextWakeInMS <= 0 {
		return 0, fmt.Errorf("/state: no wake-up due")
	}
	return time.Duration(*v.Driver.NextWakeInMS) * time.Millisecond, nil
}

// metrics reads the per-service counters from /metrics.
func (s *sampler) metrics(ctx context.Context) error {
	body, err := s.get(ctx, "/metrics")
	if err != nil {
		return err
	}
	byID := map[string]int{}
	for i, svc := range s.services {
		byID[svc.id] = i
	}
	seen := make([]bool, len(s.services))
	sc := bufio.NewScanner(strings.NewReader(string(body)))
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		line := sc.Text()
		var c []counter
		switch {
		case strings.HasPrefix(line, "waiter_service_cold_starts_total{"):
			c = s.cold
		case strings.HasPrefix(line, "waiter_service_instances_killed_total{"):
			c = s.killed
		case strings.HasPrefix(line, "waiter_service_instances_launched_total{"):
			c = s.launched
		default:
			continue
		}
		id, v, ok := parseSeries(line)
		i, known := byID[id]
		if !ok || !known {
			continue
		}
		seen[i] = true
		c[i].see(v)
	}
	for i, ok := range seen {
		if !ok {
			s.cold[i].gone()
			s.killed[i].gone()
			s.launched[i].gone()
		}
	}
	return sc.Err()
}

// parseSeries reads service_id and the value of one exposition line:
// name{service_id="x",service_name="y"} 3
func parseSeries(line string) (string, float64, bool) {
	_, rest, ok := strings.Cut(line, `service_id="`)
	if !ok {
		return "", 0, false
	}
	id, rest, ok := strings.Cut(rest, `"`)
	if !ok {
		return "", 0, false
	}
	i := strings.LastIndexByte(rest, ' ')
	if i < 0 {
		return "", 0, false
	}
	v, err := strconv.ParseFloat(rest[i+1:], 64)
	return id, v, err == nil
}

func (s *sampler) get(ctx context.Context, path string) ([]byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, s.target+path, nil)
	if err != nil {
		return nil, err
	}
	resp, err := s.client.Do(req)
	if err != nil {
		return nil, fmt.Errorf("GET %s: %w", path, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, 16<<20))
	if err != nil {
		return nil, fmt.Errorf("GET %s: %w", path, err)
	}
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("GET %s: %s", path, resp.Status)
	}
	return b, nil
}
