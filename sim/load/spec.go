package load

import (
	"fmt"
	"math"
	"strconv"
	"time"
)

// Spec describes one arrival process. Exactly one field is set; in YAML the
// field is chosen by kind and its parameters sit beside it:
//
//	kind: ramp
//	from: 10
//	to: 200
//	start: 1m
//	duration: 5m
//
// Rates are requests per second; times are durations with a unit ("90s",
// "1h30m") measured from the simulation epoch. The doc tags are the
// reference of the scenario format (waiter-sim docs scenario).
type Spec struct {
	Constant *ConstantSpec `kind:"constant" doc:"a constant rate"`
	Ramp     *RampSpec     `kind:"ramp" doc:"from one rate to another in a straight line"`
	Step     *StepSpec     `kind:"step" doc:"a base rate, multiplied for a while (a spike) or for good (a step)"`
	Diurnal  *DiurnalSpec  `kind:"diurnal" doc:"a sine wave around a mean rate, such as a day of traffic"`
	Bursty   *BurstySpec   `kind:"bursty" doc:"on and off phases of random length, Poisson arrivals within each"`
	Sum      *SumSpec      `kind:"sum" doc:"several loads at once: their rates add up"`
	Window   *WindowSpec   `kind:"window" doc:"another load, only between start and end"`
	Gaps     *GapsSpec     `kind:"gaps" doc:"another load, silent during idle spans"`
}

// Arrivals chooses how a constant-rate process spaces its arrivals.
type Arrivals string

// The spacings a ConstantSpec can ask for.
const (
	Poisson       Arrivals = "poisson"       // exponential gaps (the default)
	Deterministic Arrivals = "deterministic" // exactly 1/rate apart, the first at 0
)

// EnumValues lists the spacings, for decoding and the reference.
func (Arrivals) EnumValues() []string { return []string{string(Poisson), string(Deterministic)} }

// ConstantSpec is a constant rate (kind: constant).
type ConstantSpec struct {
	Rate     float64  `yaml:"rate" required:"true" unit:"requests/s" doc:"the rate; 0 or more"`
	Arrivals Arrivals `yaml:"arrivals" default:"poisson" doc:"poisson: random gaps with the rate as mean; deterministic: exactly 1/rate apart, the first at 0"`
}

// RampSpec is a linear ramp (kind: ramp): the rate is From until Start, moves
// linearly to To over Duration, then stays at To.
type RampSpec struct {
	From     float64       `yaml:"from" required:"true" unit:"requests/s" doc:"the rate until start"`
	To       float64       `yaml:"to" required:"true" unit:"requests/s" doc:"the rate from start + duration on"`
	Start    time.Duration `yaml:"start" doc:"when the ramp begins"`
	Duration time.Duration `yaml:"duration" required:"true" doc:"how long the ramp takes; more than 0"`
}

// StepSpec is a step or spike (kind: step): the rate is Base, except
// Base·Multiplier from Start for Duration. Duration 0 means until the end of
// the run (a step); Multiplier below 1 makes a dip.
type StepSpec struct {
	Base       float64       `yaml:"base" required:"true" unit:"requests/s" doc:"the rate outside the step"`
	Multiplier float64       `yaml:"multiplier" required:"true" unit:"factor" doc:"the rate during the step is base × multiplier; below 1 makes a dip"`
	Start      time.Duration `yaml:"start" doc:"when the step begins"`
	Duration   time.Duration `yaml:"duration" computed:"0 (until the end)" doc:"how long the step lasts"`
}

// DiurnalSpec is a sine wave (kind: diurnal):
// rate(t) = Mean + Amplitude·sin(2π(t − Phase)/Period), so the rate crosses
// Mean rising at t = Phase and peaks a quarter period later.
type DiurnalSpec struct {
	Mean      float64       `yaml:"mean" required:"true" unit:"requests/s" doc:"the average rate"`
	Amplitude float64       `yaml:"amplitude" unit:"requests/s" doc:"how far the rate swings above and below mean; at most mean"`
	Period    time.Duration `yaml:"period" required:"true" doc:"the length of one cycle, such as 24h; more than 0"`
	Phase     time.Duration `yaml:"phase" doc:"when the rate crosses mean rising; it peaks a quarter period later"`
}

// BurstySpec alternates on and off phases of exponentially distributed length
// (kind: bursty), with Poisson arrivals at OnRate and OffRate within them. The
// long-run rate is (OnRate·MeanOn + OffRate·MeanOff)/(MeanOn + MeanOff).
type BurstySpec struct {
	OnRate  float64       `yaml:"on-rate" required:"true" unit:"requests/s" doc:"the rate during an on phase"`
	OffRate float64       `yaml:"off-rate" unit:"requests/s" doc:"the rate during an off phase"`
	MeanOn  time.Duration `yaml:"mean-on" required:"true" doc:"the mean length of an on phase (exponentially distributed); more than 0"`
	MeanOff time.Duration `yaml:"mean-off" required:"true" doc:"the mean length of an off phase (exponentially distributed); more than 0"`
}

// SumSpec superimposes processes (kind: sum).
type SumSpec struct {
	Of []Spec `yaml:"of" required:"true" doc:"the loads to add up; at least one"`
}

// WindowSpec limits a process to [Start, End) (kind: window); End 0 means no
// end. The inner process keeps its own clock: a ramp starting at 1m inside a
// window starting at 2m is already past its ramp.
type WindowSpec struct {
	Start time.Duration `yaml:"start" doc:"when the window opens"`
	End   time.Duration `yaml:"end" computed:"0 (never closes)" doc:"when the window closes; after start"`
	Load  Spec          `yaml:"load" required:"true" doc:"the load inside the window; it keeps its own clock (a ramp at 1m inside a window opening at 2m is already past its ramp)"`
}

// GapsSpec silences a process during idle spans (kind: gaps).
type GapsSpec struct {
	Gaps []Gap `yaml:"gaps" required:"true" doc:"the idle spans, in time order and not overlapping"`
	Load Spec  `yaml:"load" required:"true" doc:"the load outside the gaps"`
}

// Gap is one idle span: no arrivals in [Start, Start+Duration).
type Gap struct {
	Start    time.Duration `yaml:"start" doc:"when the span begins"`
	Duration time.Duration `yaml:"duration" required:"true" doc:"how long it lasts; more than 0"`
}

// SpecError reports an invalid field of a load spec.
type SpecError struct {
	// Line is the YAML line of the offending field, or 0 for a spec built
	// in Go.
	Line int
	// Field is the path of the field from the spec being validated, e.g.
	// "of[1].rate" or "load.gaps[0].duration".
	Field string
	// Msg states the rule that was broken.
	Msg string
}

// Error formats the error as "load: line N: field: rule" (no line for specs built in Go).
func (e *SpecError) Error() string {
	if e.Line > 0 {
		return fmt.Sprintf("load: line %d: %s: %s", e.Line, e.Field, e.Msg)
	}
	return fmt.Sprintf("load: %s: %s", e.Field, e.Msg)
}

// Kinds lists the spec kinds, as written after kind: in YAML.
var Kinds = []string{"constant", "ramp", "step", "diurnal", "bursty", "sum", "window", "gaps"}

// Kind returns the kind of the one field set, or "" if none or several are.
func (s Spec) Kind() string {
	kind, n := "", 0
	for i, set := range s.fields() {
		if set {
			kind = Kinds[i]
			n++
		}
	}
	if n != 1 {
		return ""
	}
	return kind
}

func (s Spec) fields() [8]bool {
	return [8]bool{s.Constant != nil, s.Ramp != nil, s.Step != nil, s.Diurnal != nil,
		s.Bursty != nil, s.Sum != nil, s.Window != nil, s.Gaps != nil}
}

// Validate reports the first field that breaks a rule, as a *SpecError.
func (s Spec) Validate() error {
	return s.validate("")
}

func (s Spec) validate(path string) error {
	kindField := join(path, "kind")
	switch s.Kind() {
	case "":
		n := 0
		for _, set := range s.fields() {
			if set {
				n++
			}
		}
		if n == 0 {
			return &SpecError{Field: kindField, Msg: "is required (one of " + kindList() + ")"}
		}
		return &SpecError{Field: kindField, Msg: fmt.Sprintf("exactly one kind may be set, got %d", n)}
	case "constant":
		c := s.Constant
		if err := rate(path, "rate", c.Rate); err != nil {
			return err
		}
		if c.Arrivals != "" && c.Arrivals != Poisson && c.Arrivals != Deterministic {
			return &SpecError{Field: join(path, "arrivals"), Msg: fmt.Sprintf("must be poisson or deterministic, got %q", c.Arrivals)}
		}
	case "ramp":
		r := s.Ramp
		return first(rate(path, "from", r.From), rate(path, "to", r.To),
			notNegative(path, "start", r.Start), positive(path, "duration", r.Duration))
	case "step":
		st := s.Step
		if err := first(rate(path, "base", st.Base), rate(path, "multiplier", st.Multiplier),
			notNegative(path, "start", st.Start), notNegative(path, "duration", st.Duration)); err != nil {
			return err
		}
		if math.IsInf(st.Base*st.Multiplier, 0) {
			return &SpecError{Field: join(path, "multiplier"), Msg: "base·multiplier overflows"}
		}
	case "diurnal":
		d := s.Diurnal
		if err := first(rate(path, "mean", d.Mean), rate(path, "amplitude", d.Amplitude),
			positive(path, "period", d.Period)); err != nil {
			return err
		}
		if d.Amplitude > d.Mean {
			return &SpecError{Field: join(path, "amplitude"), Msg: fmt.Sprintf("must be ≤ mean (%v) so the rate stays ≥ 0, got %v", d.Mean, d.Amplitude)}
		}
	case "bursty":
		b := s.Bursty
		return first(rate(path, "on-rate", b.OnRate), rate(path, "off-rate", b.OffRate),
			positive(path, "mean-on", b.MeanOn), positive(path, "mean-off", b.MeanOff))
	case "sum":
		if len(s.Sum.Of) == 0 {
			return &SpecError{Field: join(path, "of"), Msg: "must list at least one load"}
		}
		for i, k := range s.Sum.Of {
			if err := k.validate(join(path, "of") + "[" + strconv.Itoa(i) + "]"); err != nil {
				return err
			}
		}
	case "window":
		w := s.Window
		if err := notNegative(path, "start", w.Start); err != nil {
			return err
		}
		if w.End != 0 && w.End <= w.Start {
			return &SpecError{Field: join(path, "end"), Msg: fmt.Sprintf("must be after start (%v), or omitted for no end; got %v", w.Start, w.End)}
		}
		return w.Load.validate(join(path, "load"))
	case "gaps":
		g := s.Gaps
		prevEnd := time.Duration(-1)
		for i, gap := range g.Gaps {
			p := join(path, "gaps") + "[" + strconv.Itoa(i) + "]"
			if err := first(notNegative(p, "start", gap.Start), positive(p, "duration", gap.Duration)); err != nil {
				return err
			}
			if gap.Start < prevEnd {
				return &SpecError{Field: join(p, "start"), Msg: fmt.Sprintf("gaps must be sorted and disjoint: starts at %v, before the previous gap ends at %v", gap.Start, prevEnd)}
			}
			prevEnd = gap.Start + gap.Duration
		}
		return g.Load.validate(join(path, "load"))
	}
	return nil
}

func kindList() string {
	s := ""
	for i, k := range Kinds {
		if i > 0 {
			s += ", "
		}
		s += k
	}
	return s
}

func join(path, field string) string {
	switch {
	case path == "":
		return field
	case field == "":
		return path
	}
	return path + "." + field
}

func first(errs ...error) error {
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}

func rate(path, field string, v float64) error {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return &SpecError{Field: join(path, field), Msg: fmt.Sprintf("must be finite, got %v", v)}
	}
	if v < 0 {
		return &SpecError{Field: join(path, field), Msg: fmt.Sprintf("must be ≥ 0, got %v", v)}
	}
	return nil
}

func notNegative(path, field string, d time.Duration) error {
	if d < 0 {
		return &SpecError{Field: join(path, field), Msg: fmt.Sprintf("must be ≥ 0, got %v", d)}
	}
	return nil
}

func positive(path, field string, d time.Duration) error {
	if d <= 0 {
		return &SpecError{Field: join(path, field), Msg: fmt.Sprintf("must be > 0, got %v", d)}
	}
	return nil
}
