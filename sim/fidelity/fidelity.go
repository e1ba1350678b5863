package fidelity

import (
	"fmt"
	"math"

	"github.com/waiter-go/waiter/sim"
	"github.com/waiter-go/waiter/sim/scenario"
)

// Calibration is what the real path adds on the machine at hand, as
// measured before the runs and fed to the model.
type Calibration struct {
	// ProcessStartMS: from exec to a kitchen's first answer (the shell
	// scheduler's launch; the model's launch latency).
	ProcessStartMS float64 `json:"process_start_ms"`
	// RouterRequestMS: one request of no work through the router
	// (proxy, connections, kitchen); added to every simulated service time.
	RouterRequestMS float64 `json:"router_request_ms"`
	// KitchenRequestMS: the same request straight to kitchen.
	KitchenRequestMS float64 `json:"kitchen_request_ms"`
	// InRunRequestMS: what the real runs' own requests took beyond their
	// service time (the median over every answered request): the path's
	// cost under the run's load, on a machine other work shares. It is
	// what the model adds to every service time when measured.
	InRunRequestMS float64 `json:"in_run_request_ms"`
	// InRunStartMS: how much later the real runs' first instances took a
	// request than the model's launch, start-up and health cadence say
	// (the median over InRunStarts cold starts): what creating a service
	// costs the real router (the synced store write of its description,
	// the scheduler's create) under the run's load. It is added to every
	// simulated service creation when measured.
	InRunStartMS float64 `json:"in_run_start_ms,omitempty"`
	InRunStarts  int     `json:"in_run_starts,omitempty"`
	// InRunStartEachMS is each cold start's figure, in increasing order.
	InRunStartEachMS []float64 `json:"in_run_start_each_ms,omitempty"`
	// PassLateMS: how much later than one scaling interval after the
	// previous one the real router ran each scaling pass (the engine
	// schedules the next pass from when one ran; the driver's timer and
	// event loop run it late on a busy machine), the median over the real
	// runs, each measured from the next wake-up /state announces every
	// second. The model's scaling interval is that much longer.
	PassLateMS float64 `json:"scaling_pass_late_ms,omitempty"`
	// PassLateRuns are the real runs' own figures, in order.
	PassLateRuns []float64 `json:"scaling_pass_late_runs_ms,omitempty"`
	// PassLateLoMS and PassLateHiMS bound how late the passes ran over
	// the runs: the least first quartile and the greatest third quartile
	// of the runs' estimates (each over 20 passes).
	PassLateLoMS float64 `json:"scaling_pass_late_lo_ms,omitempty"`
	PassLateHiMS float64 `json:"scaling_pass_late_hi_ms,omitempty"`
}

// Comparison holds the figures of run B against run A (the reference: a
// real run).
type Comparison struct {
	A string `json:"a"`
	B string `json:"b"`
	// Samples is the number of instance samples compared.
	Samples int `json:"samples"`
	// RequestedWithin and HealthyWithin are the shares of samples whose
	// requested (healthy) instances differ by at most the tolerance.
	RequestedWithin float64 `json:"requested_within"`
	HealthyWithin   float64 `json:"healthy_within"`
	// RMS errors of the curves, in instances.
	RequestedRMS float64 `json:"requested_rms"`
	HealthyRMS   float64 `json:"healthy_rms"`
	// Relative differences (B-A)/A of the latency percentiles and
	// instance-seconds.
	P50   float64 `json:"p50_rel"`
	P90   float64 `json:"p90_rel"`
	P99   float64 `json:"p99_rel"`
	InstS float64 `json:"instance_seconds_rel"`
	// Differences B-A of counts.
	ColdStarts        int64 `json:"cold_starts_diff"`
	ColdStartServices int64 `json:"cold_start_services_diff"`
	Kills             int64 `json:"kills_diff"`
}

// Compare measures b against a with tolerance tol: the instance curves
// at every tol.SampleEvery (both series must have the same interval).
func Compare(aLabel string, a *sim.Report, bLabel string, b *sim.Report, tol scenario.Fidelity) Comparison {
	c := Comparison{A: aLabel, B: bLabel}
	req := curveFit(a.Series.TimeS, a.Series.Requested, b.Series.TimeS, b.Series.Requested, tol)
	hl := curveFit(a.Series.TimeS, a.Series.Healthy, b.Series.TimeS, b.Series.Healthy, tol)
	c.Samples = req.n
	c.RequestedWithin, c.RequestedRMS = req.within, req.rms
	c.HealthyWithin, c.HealthyRMS = hl.within, hl.rms
	la, lb := a.Totals.LatencyMS, b.Totals.LatencyMS
	c.P50, c.P90, c.P99 = rel(la.P50, lb.P50), rel(la.P90, lb.P90), rel(la.P99, lb.P99)
	c.InstS = rel(a.Totals.InstanceSeconds, b.Totals.InstanceSeconds)
	c.ColdStarts = b.Totals.ColdStarts - a.Totals.ColdStarts
	c.ColdStartServices = b.Totals.ColdStartServices - a.Totals.ColdStartServices
	c.Kills = b.Totals.Kills - a.Totals.Kills
	return c
}

type fit struct {
	n           int
	within, rms float64
}

// curveFit compares two curves at the times both have that fall on
// multiples of tol.SampleEvery.
func curveFit(at, a, bt, b []float64, tol scenario.Fidelity) fit {
	every := tol.SampleEvery.Seconds()
	bAt := map[int64]float64{}
	for i, t := range bt {
		if i < len(b) {
			bAt[int64(math.Round(t*1000))] = b[i]
		}
	}
	var f fit
	var sq float64
	within := 0
	for i, t := range at {
		if i >= len(a) || math.Abs(math.Remainder(t, every)) > 1e-6 {
			continue
		}
		v, ok := bAt[int64(math.Round(t*1000))]
		if !ok {
			continue
		}
		d := v - a[i]
		sq += d * d
		if math.Abs(d) <= float64(tol.Instances)+1e-9 {
			within++
		}
		f.n++
	}
	if f.n > 0 {
		f.within = float64(within) / float64(f.n)
		f.rms = math.Sqrt(sq / float64(f.n))
	}
	return f
}

// rel is (b-a)/a, 0 when both are 0 and +Inf when only a is.
func rel(a, b float64) float64 {
	if a == 0 {
		if b == 0 {
			return 0
		}
		return math.Inf(1)
	}
	return (b - a) / a
}

// Check is one tolerance of the scenario, judged.
type Check struct {
	What   string `json:"what"`
	Bound  string `json:"bound"`
	Value  string `json:"value"`
	Passed bool   `json:"passed"`
}

// Judge checks the simulation's comparisons against each real run
// (cmp) with the scenario's tolerances: the curve shares averaged over
// the real runs, latency and cold starts against the real runs' mean.
func Judge(simd *sim.Report, real []*sim.Report, cmp []Comparison, tol scenario.Fidelity) ([]Check, bool) {
	return JudgeEnsemble([]*sim.Report{simd}, real, cmp, tol)
}

// JudgeEnsemble is Judge with the latency and cold-start figures of
// the simulation taken as the mean over members: simulations of the
// same scenario under the conditions the real runs were measured in (the
// range of their scaling passes' lateness), so the prediction is the
// one the real runs' mean estimates. cmp compares the central member
// with each real run.
func JudgeEnsemble(members []*sim.Report, real []*sim.Report, cmp []Comparison, tol scenario.Fidelity) ([]Check, bool) {
	var reqW, hlW float64
	for _, c := range cmp {
		reqW += c.RequestedWithin
		hlW += c.HealthyWithin
	}
	n := float64(len(cmp))
	reqW, hlW = reqW/n, hlW/n
	p50, p99, cold, coldSvc := Means(real)
	sp50, sp99, scold, scoldSvc := Means(members)
	share := fmt.Sprintf("≥ %.0f %% of %v samples within ±%d", tol.Share*100, tol.SampleEvery, tol.Instances)
	pct := fmt.Sprintf("within %.0f %% of real", tol.Latency*100)
	cnt := fmt.Sprintf("within ±%d of real", tol.ColdStarts)
	of := ""
	if len(members) > 1 {
		of = fmt.Sprintf(" (mean of %d)", len(members))
	}
	checks := []Check{
		{"requested instances", share, fmt.Sprintf("%.1f %%", reqW*100), reqW+1e-9 >= tol.Share},
		{"healthy instances", share, fmt.Sprintf("%.1f %%", hlW*100), hlW+1e-9 >= tol.Share},
		latencyCheck("p50 latency", pct, p50, sp50, of, tol.Latency),
		latencyCheck("p99 latency", pct, p99, sp99, of, tol.Latency),
		countCheck("cold starts (requests)", cnt, cold, scold, of, tol.ColdStarts),
		countCheck("cold starts (services)", cnt, coldSvc, scoldSvc, of, tol.ColdStarts),
	}
	all := true
	for _, c := range checks {
		all = all && c.Passed
	}
	return checks, all
}

// Means are the mean p50 and p99 latency (ms), cold-start requests and
// cold-started services over runs.
func Means(runs []*sim.Report) (p50, p99, cold, coldSvc float64) {
	k := float64(len(runs))
	for _, r := range runs {
		p50 += r.Totals.LatencyMS.P50 / k
		p99 += r.Totals.LatencyMS.P99 / k
		cold += float64(r.Totals.ColdStarts) / k
		coldSvc += float64(r.Totals.ColdStartServices) / k
	}
	return p50, p99, cold, coldSvc
}

func latencyCheck(what, bound string, real, simV float64, of string, tol float64) Check {
	r := rel(real, simV)
	return Check{what, bound, fmt.Sprintf("%.0f ms simulated%s, %.0f ms real (%+.1f %%)", simV, of, real, r*100), math.Abs(r) <= tol+1e-9}
}

func countCheck(what, bound string, real, simV float64, of string, tol int) Check {
	d := simV - real
	v := fmt.Sprintf("%.0f", simV)
	if of != "" {
		v = fmt.Sprintf("%.1f", simV)
	}
	return Check{what, bound, fmt.Sprintf("%s simulated%s, %.1f real (%+.1f)", v, of, real, d), math.Abs(d) <= float64(tol)+1e-9}
}

// Report is the result of waiter-sim fidelity (fidelity.json).
type Report struct {
	Scenario    string      `json:"scenario"`
	Description string      `json:"description,omitempty"`
	Seed        uint64      `json:"seed"`
	Scheduler   string      `json:"scheduler"`
	SimModel    string      `json:"simulated_scheduler"`
	Calibration Calibration `json:"calibration"`
	// Fed says how the calibration went into the model.
	Fed        []string          `json:"fed_to_model"`
	Tolerances scenario.Fidelity `json:"tolerances"`
	// Labels name the runs, real ones first, in the order of the reports.
	Labels []string `json:"runs"`
	// Against compares each simulation with each real run; Noise each
	// later real run with the first.
	Against []Comparison `json:"simulated_vs_real"`
	Noise   []Comparison `json:"real_vs_real,omitempty"`
	// Ensemble are the simulations whose mean the latency and cold-start
	// checks judge (JudgeEnsemble), when there are several.
	Ensemble []Member `json:"ensemble,omitempty"`
	// Redone says which real runs were played again, and why: a run
	// the machine starved (its open-loop sender stalled) did not play
	// the scenario.
	Redone []string `json:"redone_runs,omitempty"`
	Checks []Check  `json:"checks"`
	Passed bool     `json:"passed"`
	WallS  float64  `json:"wall_seconds"`
}

// Member is one simulation of an ensemble: the scaling-pass lateness and
// service creation cost it was given, and its figures.
type Member struct {
	PassLateMS        float64 `json:"scaling_pass_late_ms"`
	CreateMS          float64 `json:"create_overhead_ms"`
	P50               float64 `json:"p50_ms"`
	P99               float64 `json:"p99_ms"`
	ColdStarts        float64 `json:"cold_starts"`
	ColdStartServices float64 `json:"cold_start_services"`
}
