package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"os/signal"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"time"

	"github.com/waiter-go/waiter/cmd/waiter-sim/internal/realrun"
	"github.com/waiter-go/waiter/engine"
	"github.com/waiter-go/waiter/sim"
	"github.com/waiter-go/waiter/sim/fidelity"
	"github.com/waiter-go/waiter/sim/report"
	"github.com/waiter-go/waiter/sim/rng"
	"github.com/waiter-go/waiter/sim/scenario"
)

// fidelityCmd runs a scenario for real and simulated: `waiter-sim fidelity FILE`.
type fidelityCmd struct {
	File         string  `arg:"" predictor:"yaml" help:"The scenario (YAML)."`
	Runs         int     `default:"1" help:"Real runs (more than 1 measures real-vs-real noise)."`
	Scheduler    string  `enum:"shell,marathon," default:"" help:"The real router's scheduler: shell, or marathon on waiter-sim marathon with real processes (default: the scenario's)."`
	SimScheduler string  `enum:"shell,marathon," default:"" help:"Simulate with this scheduler's health-check cadence instead of the real one's (marathon on a shell run: Marathon's health checks and the router's polls)."`
	NoCalibrate  bool    `help:"Do not feed the measured process start and request overhead to the model."`
	Seed         *uint64 `placeholder:"N" help:"Seed of the arrivals, service times and engine (default: the scenario's)."`
	Out          string  `placeholder:"DIR" predictor:"dir" help:"Output folder (default: fidelity-<scenario name>)."`
	RealFrom     string  `placeholder:"DIR" predictor:"dir" help:"Compare with the real runs and calibration of an earlier fidelity output instead of running again (another model against the same real runs)."`
}

// Help is fidelity's detailed help.
func (fidelityCmd) Help() string {
	return `Starts its own waiter serve (on a free loopback port, in a temporary folder),
measures what the real path adds on this machine (kitchen's process start,
a request through the router and straight to kitchen), plays the scenario
for real (as 'load' does) --runs times, each on a fresh router, then
simulates it with the calibration fed to the model: once from the seed and
once replaying the arrivals the first real run sent. Writes DIR/fidelity.json,
fidelity.md and fidelity.html (instance curves overlaid, the share of
samples within tolerance, RMS error, latency, cold starts, instance-seconds,
kills, and real-vs-real noise), and each run's report under DIR/<run>/.
Exit 1 when the scenario's fidelity tolerances are missed.

Examples:

    waiter-sim fidelity scenarios/fidelity-step.yaml --runs 3
    waiter-sim fidelity scenarios/fidelity-step.yaml --sim-scheduler marathon   # the old model`
}

// Run runs the command.
func (c *fidelityCmd) Run(e *env) error {
	if c.Runs < 1 {
		return usagef("--runs must be at least 1")
	}
	sc, err := load(c.File)
	if err != nil {
		return err
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	out := c.Out
	if out == "" {
		out = "fidelity-" + scenarioName(sc, c.File)
	}
	bins, err := realrun.FindBinaries()
	if err != nil {
		return err
	}
	res, err := RunFidelity(ctx, bins, sc, FidelityOptions{Runs: c.Runs, Scheduler: c.Scheduler,
		SimScheduler: c.SimScheduler, NoCalibrate: c.NoCalibrate, Seed: c.Seed, Log: e.stderr, RealFrom: c.RealFrom})
	if err != nil {
		return err
	}
	if err := writeFidelity(out, res); err != nil {
		return err
	}
	if err := report.WriteFidelitySummary(e.stdout, res.Report); err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "wrote %s\n", filepath.Join(out, "fidelity.{json,md,html}"))
	if !res.Report.Passed {
		return &failedError{msg: "the simulation missed the scenario's fidelity tolerances"}
	}
	return nil
}

// FidelityOptions configure RunFidelity.
type FidelityOptions struct {
	Runs                    int
	Scheduler, SimScheduler string
	NoCalibrate             bool
	Seed                    *uint64
	// RealFrom, when set, is the folder of an earlier fidelity run whose
	// real runs and calibration are compared again (no new real run).
	RealFrom string
	Log      io.Writer
}

// FidelityResult is a fidelity run: its report and every run's.
type FidelityResult struct {
	Report *fidelity.Report
	// Runs are the real runs then the simulations, as Report.Labels.
	Runs []*sim.Report
	Real []*realrun.Result
}

// RunFidelity runs sc for real opts.Runs times and simulated, and
// compares them. Series are kept per second so the curves compare at
// every sample.
func RunFidelity(ctx context.Context, bins realrun.Binaries, scIn *scenario.Scenario, opts FidelityOptions) (*FidelityResult, error) {
	start := time.Now()
	sc := *scIn
	sc.Report.Interval = time.Second
	seed := sc.Seed
	if opts.Seed != nil {
		seed = *opts.Seed
	}
	real := opts.Scheduler
	if real == "" {
		real = string(sc.Scheduler)
	}
	model := opts.SimScheduler
	if model == "" {
		model = real
	}
	logf := func(format string, args ...any) {
		if opts.Log != nil {
			fmt.Fprintf(opts.Log, format+"\n", args...)
		}
	}
	tmp, err := os.MkdirTemp("", "waiter-fidelity-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(tmp)

	rep := &fidelity.Report{Scenario: sc.Name, Description: sc.Description, Seed: seed, Scheduler: real,
		SimModel: model, Tolerances: sc.Fidelity}
	res := &FidelityResult{Report: rep}
	if opts.RealFrom != "" {
		if err := loadRealRuns(opts.RealFrom, rep, res); err != nil {
			return nil, err
		}
		opts.Runs = len(res.Real)
		logf("real runs: %d from %s, calibration: %+v", opts.Runs, opts.RealFrom, rep.Calibration)
	}
	if len(res.Real) < opts.Runs {
		if rep.Calibration, err = calibrate(ctx, bins, tmp, &sc, seed, real, logf); err != nil {
			return nil, err
		}
	}
	for i := len(res.Real); i < opts.Runs; i++ {
		r, err := realrun.StartRouter(bins, tmp, &sc, seed, real)
		if err != nil {
			return nil, err
		}
		logf("real run %d/%d: %s for %v on %s (%s scheduler)", i+1, opts.Runs, sc.Name, sc.Duration, r.URL, real)
		run, err := realrun.Run(ctx, &sc, realrun.Options{Target: r.URL, Seed: &seed, Kitchen: bins.Kitchen,
			Warn: func(s string) { logf("note: %s", s) }})
		stopErr := r.Stop()
		if err != nil {
			return nil, fmt.Errorf("real run %d: %w", i+1, err)
		}
		if stopErr != nil {
			logf("note: %v", stopErr)
		}
		if late, starved := realrun.Starved(run); starved && len(rep.Redone) < maxRedone {
			why := fmt.Sprintf("real run %d played again: the machine starved it (a request sent %.1f s late)", i+1, late.Seconds())
			logf("note: %s", why)
			rep.Redone = append(rep.Redone, why)
			i--
			continue
		}
		logf("real run %d: the router's scaling passes ran %.2f ms late each (median of %d estimates)",
			i+1, msOf(run.Passes.Late), run.Passes.Estimates)
		res.Real = append(res.Real, run)
		res.Runs = append(res.Runs, run.Report)
		rep.Labels = append(rep.Labels, fmt.Sprintf("real #%d", i+1))
		if p := run.Passes; p.Estimates > 0 {
			c := &rep.Calibration
			lo, hi := msOf(p.Lo), msOf(p.Hi)
			if len(c.PassLateRuns) == 0 || lo < c.PassLateLoMS {
				c.PassLateLoMS = lo
			}
			c.PassLateHiMS = max(c.PassLateHiMS, hi)
			c.PassLateRuns = append(c.PassLateRuns, msOf(p.Late))
		}
	}
	rep.Calibration.PassLateMS = medianMS(rep.Calibration.PassLateRuns)

	// The model, fed with the calibration.
	simSc := sc
	simSc.Scheduler = scenario.Scheduler(model)
	simOpts := sim.Options{Seed: &seed}
	rep.Calibration.InRunRequestMS = inRunOverhead(res.Real)
	processStart := time.Duration(rep.Calibration.ProcessStartMS * float64(time.Millisecond))
	if lag := modelStart(&sc, real, processStart); lag != nil && model == real {
		each, err := inRunStarts(&sc, res.Real, rep.Calibration.InRunRequestMS, lag)
		if err != nil {
			return nil, err
		}
		rep.Calibration.InRunStartEachMS = each
		rep.Calibration.InRunStartMS, rep.Calibration.InRunStarts = medianMS(each), len(each)
	}
	if !opts.NoCalibrate {
		over, what := rep.Calibration.RouterRequestMS, "a request through the router, measured before the runs"
		if rep.Calibration.InRunRequestMS > 0 {
			over, what = rep.Calibration.InRunRequestMS, "the real runs' requests beyond their service time"
		}
		simOpts.RequestOverhead = time.Duration(over * float64(time.Millisecond))
		rep.Fed = append(rep.Fed, fmt.Sprintf("every simulated service time + %.2f ms (%s)", over, what))
		if real == string(scenario.SchedulerShell) {
			simSc.Marathon.LaunchLatency = rng.Seconds(processStart)
			rep.Fed = append(rep.Fed, fmt.Sprintf("launch latency %.1f ms (kitchen's process start), for the scenario's %v", rep.Calibration.ProcessStartMS, sc.Marathon.LaunchLatency.Dist))
		}
		if real == string(scenario.SchedulerMarathon) && model == real {
			// waiter-sim marathon stages every task for the mean launch
			// latency, then the task's process starts.
			fixed := realrun.MarathonLaunchLatency(&sc)
			simSc.Marathon.LaunchLatency = rng.Seconds(fixed + processStart)
			rep.Fed = append(rep.Fed, fmt.Sprintf("launch latency %v (waiter-sim marathon's %v, the mean of the scenario's %v, + kitchen's process start %.1f ms)",
				(fixed+processStart).Round(100*time.Microsecond), fixed, sc.Marathon.LaunchLatency.Dist, rep.Calibration.ProcessStartMS))
		}
		if late := rep.Calibration.PassLateMS; late > 0 {
			simSc.Router.ScalingInterval += time.Duration(late * float64(time.Millisecond))
			rep.Fed = append(rep.Fed, fmt.Sprintf("scaling interval %v + %.2f ms (the real router's scaling passes ran that much late each, the median over %d runs: the simulated passes drift as the real ones did)",
				sc.Router.ScalingInterval, late, len(rep.Calibration.PassLateRuns)))
		}
		if rep.Calibration.InRunStarts > 0 {
			simOpts.CreateOverhead = time.Duration(rep.Calibration.InRunStartMS * float64(time.Millisecond))
			rep.Fed = append(rep.Fed, fmt.Sprintf("every service creation + %.1f ms (the real runs' %d first instances beyond the model's launch, start-up and health cadence: the new service's synced store write and creation under the machine's load)",
				rep.Calibration.InRunStartMS, rep.Calibration.InRunStarts))
		}
	}
	seeded, err := sim.Run(&simSc, simOpts)
	if err != nil {
		return nil, err
	}
	replayOpts := simOpts
	replayOpts.Arrivals = sentArrivals(res.Real[0])
	replayed, err := sim.Run(&simSc, replayOpts)
	if err != nil {
		return nil, err
	}
	res.Runs = append(res.Runs, seeded, replayed)
	rep.Labels = append(rep.Labels, "simulated", "replayed")

	for j, s := range []*sim.Report{seeded, replayed} {
		for i, r := range res.Real {
			rep.Against = append(rep.Against, fidelity.Compare(rep.Labels[i], r.Report, rep.Labels[opts.Runs+j], s, sc.Fidelity))
		}
	}
	for i := 1; i < opts.Runs; i++ {
		rep.Noise = append(rep.Noise, fidelity.Compare(rep.Labels[0], res.Runs[0], rep.Labels[i], res.Runs[i], sc.Fidelity))
	}
	members := []*sim.Report{seeded}
	if !opts.NoCalibrate {
		ens, err := conditionsEnsemble(&simSc, simOpts, sc.Router.ScalingInterval, rep)
		if err != nil {
			return nil, err
		}
		if len(ens) > 0 {
			members = ens
		}
	}
	rep.Checks, rep.Passed = fidelity.JudgeEnsemble(members, res.Runs[:opts.Runs], rep.Against[:opts.Runs], sc.Fidelity)
	if opts.RealFrom == "" {
		rep.WallS = time.Since(start).Round(time.Second).Seconds()
	}
	return res, nil
}

// maxRedone bounds how many starved real runs (realrun.Starved) one
// fidelity run plays again; past it a starved run is kept, and judged.
const maxRedone = 2

// calibrate measures the real path (realrun.Calibrate) on a router of its
// own, stopped before the real runs start: each real run then gets a
// fresh router, as each simulation starts one. A router the calibration
// ran on keeps what its calibration service left: the engine's scaling
// passes stay on the calibration service's phase (the next pass is one
// interval after the previous; only an engine whose next pass is already
// past when a service's first request comes starts a new phase there, as
// a simulation's does at its first arrival), so the run's scale-ups, the fast polls they restart and the
// poll that finds the first instance came at another phase than
// simulated: its first cold start waited 60-250 ms longer (one more fast
// poll, or two), 1-2 more cold-start requests on fidelity-cold-start on
// Marathon, in the first real run only.
func calibrate(ctx context.Context, bins realrun.Binaries, tmp string, sc *scenario.Scenario, seed uint64, scheduler string, logf func(string, ...any)) (fidelity.Calibration, error) {
	r, err := realrun.StartRouter(bins, tmp, sc, seed, scheduler)
	if err != nil {
		return fidelity.Calibration{}, err
	}
	logf("calibrating on %s", r.URL)
	cal, err := realrun.Calibrate(ctx, bins, r)
	stopErr := r.Stop()
	if err != nil {
		return cal, err
	}
	if stopErr != nil {
		logf("note: %v", stopErr)
	}
	logf("calibration: process start %.1f ms, a request through the router %.2f ms, straight to kitchen %.2f ms",
		cal.ProcessStartMS, cal.RouterRequestMS, cal.KitchenRequestMS)
	return cal, nil
}

// ensembleMembers is how many simulations span the real runs' range of
// scaling-pass lateness.
const ensembleMembers = 9

// conditionsEnsemble simulates simSc ensembleMembers times across the
// conditions the real runs were measured in, and records the members in
// rep.Ensemble; the mean over them is the prediction of the mean over
// real runs. Member j of n is given:
//   - a scaling-pass lateness spread evenly over how late the real runs'
//     passes ran (from the least first quartile of a run's estimates to
//     the greatest third quartile, and at least the runs' medians).
//     Where a scale-up hangs on which pass first sees a burst (Waiter's
//     jitter threshold on a smoothed target: one pass later is 0.2-0.3 s
//     more queue, 20 % on a burst's p99), a few ms of the pass's phase
//     decide it: real runs fall on either side as the machine's load
//     moves their passes (60 passes 0.5 ms or 2 ms late are 90 ms
//     apart), and one simulation on one side;
//   - a service creation's cost at the j/(n-1) quantile of the real
//     runs' cold starts (inRunStarts): a cold start's count of waiting
//     requests steps by one every 1/rate of the first instance's wait,
//     so the mean count over runs whose waits differ is not the count at
//     the median wait.
//
// Without timed passes and with at most one cold start, or with
// conditions alike throughout, there is none (nil): the one simulation
// stands.
func conditionsEnsemble(simSc *scenario.Scenario, simOpts sim.Options, interval time.Duration, rep *fidelity.Report) ([]*sim.Report, error) {
	c := rep.Calibration
	var lo, hi float64
	if len(c.PassLateRuns) > 0 {
		lo, hi = slices.Min(c.PassLateRuns), slices.Max(c.PassLateRuns)
		if c.PassLateHiMS > c.PassLateLoMS {
			lo, hi = min(lo, c.PassLateLoMS), max(hi, c.PassLateHiMS)
		}
		lo, hi = max(lo, 0), max(hi, 0)
	}
	varyLate := hi-lo >= 0.001
	creates := c.InRunStartEachMS
	varyCreate := c.InRunStarts > 0 && len(creates) > 1 && creates[len(creates)-1]-creates[0] >= 0.001
	if !varyLate && !varyCreate {
		return nil, nil
	}
	var members []*sim.Report
	for j := range ensembleMembers {
		f := float64(j) / float64(ensembleMembers-1)
		sc, opts := *simSc, simOpts
		m := fidelity.Member{PassLateMS: c.PassLateMS, CreateMS: c.InRunStartMS}
		if varyLate {
			m.PassLateMS = math.Round((lo+(hi-lo)*f)*1000) / 1000
			sc.Router.ScalingInterval = interval + time.Duration(m.PassLateMS*float64(time.Millisecond))
		}
		if varyCreate {
			m.CreateMS = math.Round(quantile(creates, f)*1000) / 1000
			opts.CreateOverhead = time.Duration(m.CreateMS * float64(time.Millisecond))
		}
		r, err := sim.Run(&sc, opts)
		if err != nil {
			return nil, err
		}
		members = append(members, r)
		m.P50, m.P99, m.ColdStarts, m.ColdStartServices = fidelity.Means([]*sim.Report{r})
		rep.Ensemble = append(rep.Ensemble, m)
	}
	var p99s, colds []string
	for _, m := range rep.Ensemble {
		p99s = append(p99s, fmt.Sprintf("%.0f", m.P99))
		colds = append(colds, fmt.Sprintf("%.0f", m.ColdStarts))
	}
	var over []string
	if varyLate {
		over = append(over, fmt.Sprintf("scaling passes %.2f to %.2f ms late", lo, hi))
	}
	if varyCreate {
		over = append(over, fmt.Sprintf("service creations costing the real cold starts' %.1f to %.1f ms", creates[0], creates[len(creates)-1]))
	}
	rep.Fed = append(rep.Fed, fmt.Sprintf("latency and cold starts judged on the mean of %d simulations across the real runs' conditions: %s (p99 in ms: %s; cold-start requests: %s); the curves on the one fed the medians",
		len(members), strings.Join(over, ", "), strings.Join(p99s, ", "), strings.Join(colds, ", ")))
	return members, nil
}

// quantile is the q quantile (0..1) of sorted v, interpolated.
func quantile(v []float64, q float64) float64 {
	x := q * float64(len(v)-1)
	i := int(x)
	if i >= len(v)-1 {
		return v[len(v)-1]
	}
	return v[i] + (v[i+1]-v[i])*(x-float64(i))
}

// loadRealRuns reads the real runs (real_N/report.json and
// requests.jsonl) and the calibration of an earlier fidelity output.
func loadRealRuns(dir string, rep *fidelity.Report, res *FidelityResult) error {
	b, err := os.ReadFile(filepath.Join(dir, "fidelity.json"))
	if err != nil {
		return err
	}
	var old fidelity.Report
	if err := json.Unmarshal(b, &old); err != nil {
		return fmt.Errorf("%s: %w", filepath.Join(dir, "fidelity.json"), err)
	}
	if old.Scenario != rep.Scenario || old.Seed != rep.Seed {
		return fmt.Errorf("%s holds runs of %s seed %d, not %s seed %d", dir, old.Scenario, old.Seed, rep.Scenario, rep.Seed)
	}
	rep.Calibration, rep.WallS = old.Calibration, old.WallS
	for i := 1; ; i++ {
		label := fmt.Sprintf("real #%d", i)
		sub := filepath.Join(dir, dirName(label))
		rb, err := os.ReadFile(filepath.Join(sub, "report.json"))
		if errors.Is(err, os.ErrNotExist) && i > 1 {
			return nil
		}
		if err != nil {
			return err
		}
		run := &realrun.Result{Report: &sim.Report{}}
		if err := json.Unmarshal(rb, run.Report); err != nil {
			return fmt.Errorf("%s: %w", sub, err)
		}
		lb, err := os.ReadFile(filepath.Join(sub, "requests.jsonl"))
		if err != nil {
			return err
		}
		dec := json.NewDecoder(bytes.NewReader(lb))
		for dec.More() {
			var q realrun.Request
			if err := dec.Decode(&q); err != nil {
				return fmt.Errorf("%s: %w", filepath.Join(sub, "requests.jsonl"), err)
			}
			run.Requests = append(run.Requests, q)
		}
		res.Real = append(res.Real, run)
		res.Runs = append(res.Runs, run.Report)
		rep.Labels = append(rep.Labels, label)
	}
}

// inRunOverhead is the median of latency − service time over the real
// runs' answered requests, in ms (0 without any).
func inRunOverhead(runs []*realrun.Result) float64 {
	var d []float64
	for _, r := range runs {
		for _, q := range r.Requests {
			if q.Outcome == "ok" {
				d = append(d, q.LatencyMS-q.WorkMS)
			}
		}
	}
	if len(d) == 0 {
		return 0
	}
	slices.Sort(d)
	return math.Round(d[len(d)/2]*1000) / 1000
}

// modelStart is how long the model of scheduler, fed the launch latency
// the calibration gives it (kitchen's process start, and waiter-sim
// marathon's fixed staging), takes from creating a service to its first
// instance taking a request, for a start-up: on the shell scheduler the
// launch, the start-up and half the probe interval at that age (the mean
// wait for the probe that finds it listening,
// engine.StartupProbeInterval); on waiter-sim marathon the launch, the
// start-up, half a fast poll and the poll's answer (the router's own
// check finds it). nil for a scheduler fidelity does not run for real.
func modelStart(sc *scenario.Scenario, scheduler string, processStart time.Duration) func(startup time.Duration) time.Duration {
	switch scenario.Scheduler(scheduler) {
	case scenario.SchedulerShell:
		return func(startup time.Duration) time.Duration {
			return processStart + startup + engine.StartupProbeInterval(startup, engine.DefaultStartupProbeMin, engine.DefaultStartupProbeMax, time.Hour)/2
		}
	case scenario.SchedulerMarathon:
		fixed := realrun.MarathonLaunchLatency(sc)
		return func(startup time.Duration) time.Duration {
			return fixed + processStart + startup + sc.Router.FastPollInterval/2 + sc.Router.APILatency
		}
	}
	return nil
}

// inRunStart is the median time the real runs' first instances took
// beyond what the model accounts for (modelStart): what creating a
// service costs a real router beyond the model's API latency. At least
// 0 ms; the count of cold starts it comes from is 0 when the runs show
// none.
func inRunStart(sc *scenario.Scenario, runs []*realrun.Result, overheadMS float64, model func(startup time.Duration) time.Duration) (float64, int, error) {
	d, err := inRunStarts(sc, runs, overheadMS, model)
	if err != nil {
		return 0, 0, err
	}
	return medianMS(d), len(d), nil
}

// inRunStarts are each cold start's figure of inRunStart (at least 0
// ms), in increasing order.
func inRunStarts(sc *scenario.Scenario, runs []*realrun.Result, overheadMS float64, model func(startup time.Duration) time.Duration) ([]float64, error) {
	var d []float64
	for _, r := range runs {
		fs, err := realrun.FirstInstances(sc, r, overheadMS)
		if err != nil {
			return nil, err
		}
		for _, f := range fs {
			d = append(d, math.Round(max(f.WaitMS-sim.MS(model(f.Startup)), 0)*1000)/1000)
		}
	}
	slices.Sort(d)
	return d, nil
}

// sentArrivals are the times a real run's requests went out, by service.
func sentArrivals(r *realrun.Result) map[string][]time.Duration {
	out := map[string][]time.Duration{}
	for _, q := range r.Requests {
		out[q.Service] = append(out[q.Service], time.Duration(q.SentMS*float64(time.Millisecond)))
	}
	for k, ts := range out {
		slicesSortDurations(ts)
		out[k] = ts
	}
	return out
}

// writeFidelity writes the comparison and every run's report.
func writeFidelity(dir string, res *FidelityResult) error {
	rep := res.Report
	var files []file
	for _, w := range []struct {
		name string
		fn   func(io.Writer) error
	}{
		{"fidelity.json", func(w io.Writer) error { return report.WriteFidelityJSON(w, rep) }},
		{"fidelity.md", func(w io.Writer) error { return report.WriteFidelityMarkdown(w, rep, res.Runs) }},
		{"fidelity.html", func(w io.Writer) error { return report.WriteFidelityHTML(w, rep, res.Runs) }},
	} {
		f, err := render(w.name, w.fn)
		if err != nil {
			return err
		}
		files = append(files, f)
	}
	if _, err := writeFiles(dir, files...); err != nil {
		return err
	}
	for i, r := range res.Runs {
		var fs []file
		var err error
		if i < len(res.Real) {
			fs, err = realFiles(res.Real[i])
		} else {
			fs, err = runFiles(r)
		}
		if err != nil {
			return err
		}
		if _, err := writeFiles(filepath.Join(dir, dirName(rep.Labels[i])), fs...); err != nil {
			return err
		}
	}
	return nil
}

func slicesSortDurations(ts []time.Duration) { slices.Sort(ts) }

// msOf is d in ms, to the µs.
func msOf(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

// medianMS is the median of ms figures (the mean of the middle two of an
// even count), 0 for none.
func medianMS(v []float64) float64 {
	if len(v) == 0 {
		return 0
	}
	s := slices.Clone(v)
	slices.Sort(s)
	m := s[len(s)/2]
	if len(s)%2 == 0 {
		m = (s[len(s)/2-1] + m) / 2
	}
	return math.Round(m*1000) / 1000
}
