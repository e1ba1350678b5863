package load

import (
	"math"
	"testing"
	"time"

	"github.com/waiter-go/waiter/sim/rng"
)

// The statistical tests below use fixed seeds, so they are deterministic;
// their tolerances are still set at 4–5 standard deviations so that a change
// of seed or of stream derivation would not make them fail by chance.

// mustBuild builds spec from seed; t is a *testing.T, *testing.B or *rapid.T.
func mustBuild(t interface{ Fatal(...any) }, spec Spec, seed uint64) Process {
	p, err := Build(spec, rng.New(seed))
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// countBins counts arrivals before end into bins of width w (and checks
// order on the way).
func countBins(t *testing.T, p Process, w time.Duration, n int) []int {
	t.Helper()
	bins := make([]int, n)
	prev := time.Duration(-1)
	end := w * time.Duration(n)
	for {
		at, ok := p.Next()
		if !ok || at >= end {
			return bins
		}
		if at < prev {
			t.Fatalf("arrival %v after %v: times decreased", at, prev)
		}
		prev = at
		bins[at/w]++
	}
}

// checkCount fails unless got is within k standard deviations of a Poisson
// count with mean want.
func checkCount(t *testing.T, what string, got int, want, k float64) {
	t.Helper()
	if sd := math.Sqrt(want); math.Abs(float64(got)-want) > k*sd+1e-9 {
		t.Errorf("%s: %d arrivals, want %.1f ± %.1f", what, got, want, k*sd)
	}
}

func TestConstantPoissonRateAndGaps(t *testing.T) {
	p := mustBuild(t, Spec{Constant: &ConstantSpec{Rate: 200}}, 1)
	const n = 200000
	var prev time.Duration
	var sum, sum2 float64
	for i := 0; i < n; i++ {
		at, _ := p.Next()
		g := (at - prev).Seconds()
		sum += g
		sum2 += g * g
		prev = at
	}
	mean := sum / n
	cv := math.Sqrt(sum2/n-mean*mean) / mean
	// The mean gap of n exponentials has relative sd 1/sqrt(n) ≈ 0.22%.
	if math.Abs(mean*200-1) > 0.01 {
		t.Errorf("mean gap %v s, want 1/200", mean)
	}
	if math.Abs(cv-1) > 0.02 {
		t.Errorf("gap coefficient of variation %v, want 1 (exponential)", cv)
	}
	// Counts per second over a long window.
	bins := countBins(t, mustBuild(t, Spec{Constant: &ConstantSpec{Rate: 200}}, 2), 100*time.Second, 10)
	for _, c := range bins {
		checkCount(t, "bin", c, 200*100, 5)
	}
}

func TestDeterministicArrivals(t *testing.T) {
	p := mustBuild(t, Spec{Constant: &ConstantSpec{Rate: 3, Arrivals: Deterministic}}, 1)
	for k := 0; k < 10000; k++ {
		at, ok := p.Next()
		want := time.Duration(math.Round(float64(k) / 3 * 1e9))
		if !ok || at != want {
			t.Fatalf("arrival %d at %v, want %v", k, at, want)
		}
	}
}

// Specs whose rate is 0 forever must end, not search for an arrival forever.
func TestZeroRatesEnd(t *testing.T) {
	for _, spec := range []Spec{
		{Constant: &ConstantSpec{Rate: 0}},
		{Constant: &ConstantSpec{Rate: 0, Arrivals: Deterministic}},
		{Ramp: &RampSpec{Duration: time.Second}},
		{Step: &StepSpec{Start: time.Second, Duration: time.Second}},
		{Diurnal: &DiurnalSpec{Period: time.Second}},
		{Bursty: &BurstySpec{MeanOn: time.Second, MeanOff: time.Second}},
		{Sum: &SumSpec{Of: []Spec{{Diurnal: &DiurnalSpec{Period: time.Second}}}}},
		{Ramp: &RampSpec{From: 5, Duration: time.Second}}, // a ramp down to 0 ends after its last arrival
	} {
		p := mustBuild(t, spec, 1)
		n := 0
		for ; n < 100; n++ {
			if _, ok := p.Next(); !ok {
				break
			}
		}
		if n == 100 {
			t.Errorf("%s: still producing arrivals", spec.Kind())
		}
		if _, ok := p.Next(); ok {
			t.Errorf("%s: an arrival after the end", spec.Kind())
		}
	}
}

func TestRampFollowsTheIntegral(t *testing.T) {
	// 10/s until 100s, to 110/s at 200s, then 110/s.
	spec := Spec{Ramp: &RampSpec{From: 10, To: 110, Start: 100 * time.Second, Duration: 100 * time.Second}}
	rateAt := func(s float64) float64 {
		switch {
		case s < 100:
			return 10
		case s < 200:
			return 10 + (s - 100)
		}
		return 110
	}
	checkAgainstRate(t, spec, rateAt, 25*time.Second, 12, 4)
}

func TestStepSpike(t *testing.T) {
	spec := Spec{Step: &StepSpec{Base: 20, Multiplier: 10, Start: 60 * time.Second, Duration: 30 * time.Second}}
	rateAt := func(s float64) float64 {
		if s >= 60 && s < 90 {
			return 200
		}
		return 20
	}
	checkAgainstRate(t, spec, rateAt, 10*time.Second, 18, 4)

	// Duration 0: a step that holds to the end.
	step := Spec{Step: &StepSpec{Base: 20, Multiplier: 0.5, Start: 60 * time.Second}}
	checkAgainstRate(t, step, func(s float64) float64 {
		if s >= 60 {
			return 10
		}
		return 20
	}, 60*time.Second, 10, 4)
}

func TestDiurnalShape(t *testing.T) {
	spec := Spec{Diurnal: &DiurnalSpec{Mean: 50, Amplitude: 40, Period: 100 * time.Second, Phase: 10 * time.Second}}
	rateAt := func(s float64) float64 { return 50 + 40*math.Sin(2*math.Pi*(s-10)/100) }
	// Fold 40 periods onto one: 10 bins of 10s each.
	p := mustBuild(t, spec, 3)
	var folded [10]int
	for {
		at, ok := p.Next()
		if !ok || at >= 4000*time.Second {
			break
		}
		folded[(at%(100*time.Second))/(10*time.Second)]++
	}
	for i, got := range folded {
		want := 40 * integrate(rateAt, float64(i*10), float64(i*10+10))
		checkCount(t, "phase bin", got, want, 5)
	}
}

func TestBurstyLongRunRateAndSilence(t *testing.T) {
	spec := Spec{Bursty: &BurstySpec{OnRate: 100, MeanOn: time.Second, MeanOff: 3 * time.Second}}
	p := mustBuild(t, spec, 4)
	const horizon = 20000 * time.Second
	n, longGaps := 0, 0
	var prev time.Duration
	for {
		at, ok := p.Next()
		if !ok || at >= horizon {
			break
		}
		if at-prev > 5*time.Second {
			longGaps++
		}
		prev = at
		n++
	}
	// Long-run rate 100·1/(1+3) = 25/s. The count's spread comes from the
	// ~5,000 on/off cycles (about 1.5% relative sd), not from Poisson noise.
	if got := float64(n) / horizon.Seconds(); math.Abs(got-25)/25 > 0.06 {
		t.Errorf("long-run rate %v/s, want 25 ± 6%%", got)
	}
	// Off phases longer than 5s occur with probability e^{-5/3} ≈ 19%.
	if longGaps < 500 {
		t.Errorf("%d silences over 5s in ~5000 off phases, want ~940", longGaps)
	}
	// With equal on and off rates it is a plain Poisson process.
	flat := Spec{Bursty: &BurstySpec{OnRate: 40, OffRate: 40, MeanOn: time.Second, MeanOff: time.Second}}
	bins := countBins(t, mustBuild(t, flat, 5), 100*time.Second, 5)
	for _, c := range bins {
		checkCount(t, "flat bursty bin", c, 4000, 5)
	}
}

func TestWindowAndGaps(t *testing.T) {
	inner := Spec{Constant: &ConstantSpec{Rate: 100}}
	w := mustBuild(t, Spec{Window: &WindowSpec{Start: 10 * time.Second, End: 20 * time.Second, Load: inner}}, 6)
	n := 0
	for {
		at, ok := w.Next()
		if !ok {
			break
		}
		if at < 10*time.Second || at >= 20*time.Second {
			t.Fatalf("arrival %v outside [10s,20s)", at)
		}
		n++
	}
	checkCount(t, "window", n, 1000, 5)
	if _, ok := w.Next(); ok {
		t.Fatal("window produced an arrival after ending")
	}

	g := mustBuild(t, Spec{Gaps: &GapsSpec{
		Gaps: []Gap{{Start: 10 * time.Second, Duration: 10 * time.Second}, {Start: 30 * time.Second, Duration: 5 * time.Second}},
		Load: inner,
	}}, 7)
	n = 0
	for {
		at, ok := g.Next()
		if !ok || at >= 60*time.Second {
			break
		}
		if (at >= 10*time.Second && at < 20*time.Second) || (at >= 30*time.Second && at < 35*time.Second) {
			t.Fatalf("arrival %v inside a gap", at)
		}
		n++
	}
	checkCount(t, "outside gaps", n, 100*45, 5)
}

func TestGapsSkipWithoutDrawingThrough(t *testing.T) {
	// A year-long gap in a 10^6/s load finishes instantly only if it is
	// skipped rather than drawn through.
	g := mustBuild(t, Spec{Gaps: &GapsSpec{
		Gaps: []Gap{{Start: time.Second, Duration: 365 * 24 * time.Hour}},
		Load: Spec{Constant: &ConstantSpec{Rate: 1e6}},
	}}, 8)
	var at time.Duration
	ok := true
	for at < time.Second && ok {
		at, ok = g.Next()
	}
	if !ok || at < time.Second+365*24*time.Hour {
		t.Fatalf("first arrival after the gap at %v", at)
	}
}

func TestSumAddsRatesAndOrdersTies(t *testing.T) {
	sum := Spec{Sum: &SumSpec{Of: []Spec{
		{Constant: &ConstantSpec{Rate: 50}},
		{Step: &StepSpec{Base: 30, Multiplier: 1}},
	}}}
	bins := countBins(t, mustBuild(t, sum, 9), 100*time.Second, 5)
	for _, c := range bins {
		checkCount(t, "sum bin", c, 8000, 5)
	}
	// Two deterministic children tie at every arrival; the merge must still
	// be ordered and complete.
	ties := mustBuild(t, Spec{Sum: &SumSpec{Of: []Spec{
		{Constant: &ConstantSpec{Rate: 1, Arrivals: Deterministic}},
		{Constant: &ConstantSpec{Rate: 1, Arrivals: Deterministic}},
	}}}, 1)
	for k := 0; k < 10; k++ {
		a, _ := ties.Next()
		b, _ := ties.Next()
		if a != b || a != time.Duration(k)*time.Second {
			t.Fatalf("tie %d: %v, %v", k, a, b)
		}
	}
}

func TestWindowOverSumAndDeterministicSkip(t *testing.T) {
	// skipTo through sum into a deterministic child: the first arrival is the
	// first scheduled one at or after the window's start.
	p := mustBuild(t, Spec{Window: &WindowSpec{Start: 2500 * time.Millisecond, Load: Spec{Sum: &SumSpec{Of: []Spec{
		{Constant: &ConstantSpec{Rate: 1, Arrivals: Deterministic}},
	}}}}}, 1)
	for _, want := range []time.Duration{3 * time.Second, 4 * time.Second} {
		if at, _ := p.Next(); at != want {
			t.Fatalf("got %v, want %v", at, want)
		}
	}
}

func TestProcessesAreDeterministic(t *testing.T) {
	for _, spec := range allKinds() {
		t.Run(spec.Kind(), func(t *testing.T) {
			a, b, c := mustBuild(t, spec, 11), mustBuild(t, spec, 11), mustBuild(t, spec, 12)
			differs := false
			prev := time.Duration(-1)
			for i := 0; i < 2000; i++ {
				x, okx := a.Next()
				y, oky := b.Next()
				z, _ := c.Next()
				if x != y || okx != oky {
					t.Fatalf("arrival %d: same seed gave %v and %v", i, x, y)
				}
				if !okx {
					break
				}
				if x < prev {
					t.Fatalf("arrival %d at %v after %v", i, x, prev)
				}
				prev = x
				differs = differs || x != z
			}
			if !differs && spec.Constant == nil {
				t.Error("seeds 11 and 12 gave identical arrivals")
			}
		})
	}
}

func TestBuildDoesNotMoveTheSource(t *testing.T) {
	src := rng.New(5)
	for _, spec := range allKinds() {
		p, err := Build(spec, src)
		if err != nil {
			t.Fatal(err)
		}
		p.Next()
	}
	if src.Uint64() != rng.New(5).Uint64() {
		t.Fatal("Build or Next drew from the source passed in")
	}
}

func TestBuildRejectsInvalid(t *testing.T) {
	_, err := Build(Spec{Ramp: &RampSpec{From: 1, To: 2}}, rng.New(1))
	var se *SpecError
	if !asSpecError(err, &se) || se.Field != "duration" {
		t.Fatalf("got %v, want a SpecError on duration", err)
	}
}

func TestSteadyStateNextDoesNotAllocate(t *testing.T) {
	for _, spec := range allKinds() {
		p := mustBuild(t, spec, 1)
		p.Next()
		if n := testing.AllocsPerRun(1000, func() { p.Next() }); n != 0 {
			t.Errorf("%s: %v allocs per Next", spec.Kind(), n)
		}
	}
}

// allKinds returns one spec of every kind, with rates high enough to give
// arrivals quickly.
func allKinds() []Spec {
	c := Spec{Constant: &ConstantSpec{Rate: 100}}
	return []Spec{
		c,
		{Constant: &ConstantSpec{Rate: 100, Arrivals: Deterministic}},
		{Ramp: &RampSpec{From: 10, To: 100, Start: time.Second, Duration: 10 * time.Second}},
		{Step: &StepSpec{Base: 50, Multiplier: 4, Start: 2 * time.Second, Duration: 3 * time.Second}},
		{Diurnal: &DiurnalSpec{Mean: 100, Amplitude: 80, Period: time.Minute}},
		{Bursty: &BurstySpec{OnRate: 500, MeanOn: time.Second, MeanOff: 2 * time.Second}},
		{Sum: &SumSpec{Of: []Spec{c, {Constant: &ConstantSpec{Rate: 7}}}}},
		{Window: &WindowSpec{Start: time.Second, Load: c}},
		{Gaps: &GapsSpec{Gaps: []Gap{{Start: time.Second, Duration: time.Second}}, Load: c}},
	}
}

// checkAgainstRate compares counts in n bins of width w with the integral of
// rateAt (requests per second, t in seconds) over each bin.
func checkAgainstRate(t *testing.T, spec Spec, rateAt func(float64) float64, w time.Duration, n int, seed uint64) {
	t.Helper()
	bins := countBins(t, mustBuild(t, spec, seed), w, n)
	for i, got := range bins {
		a := (time.Duration(i) * w).Seconds()
		want := integrate(rateAt, a, a+w.Seconds())
		checkCount(t, spec.Kind()+" bin at "+(time.Duration(i)*w).String(), got, want, 5)
	}
}

func integrate(f func(float64) float64, a, b float64) float64 {
	const steps = 10000
	h := (b - a) / steps
	s := 0.0
	for i := 0; i < steps; i++ {
		s += f(a + (float64(i)+0.5)*h)
	}
	return s * h
}

// A candidate drawn at the old rate must not survive a rate change: after a
// jump from 0.001/s to 1000/s at 10s, arrivals resume within milliseconds,
// not after the ~1000s gap the old rate would suggest.
func TestRateJumpRestartsAtTheBoundary(t *testing.T) {
	for seed := uint64(0); seed < 20; seed++ {
		p := mustBuild(t, Spec{Step: &StepSpec{Base: 0.001, Multiplier: 1e6, Start: 10 * time.Second}}, seed)
		for {
			at, ok := p.Next()
			if !ok {
				t.Fatal("process ended")
			}
			if at < 10*time.Second {
				continue
			}
			if at > 10*time.Second+100*time.Millisecond {
				t.Fatalf("seed %d: first arrival after the jump at %v", seed, at)
			}
			break
		}
	}
}
