package load

import (
	"testing"
	"time"

	"pgregory.net/rapid"
)

// genSpec draws a random valid spec tree of bounded depth, with second-scale
// times and rates so that a few hundred arrivals cross many boundaries.
func genSpec(depth int) *rapid.Generator[Spec] {
	return rapid.Custom(func(t *rapid.T) Spec {
		sec := func(label string, lo, hi int) time.Duration {
			return time.Duration(rapid.IntRange(lo, hi).Draw(t, label)) * 100 * time.Millisecond
		}
		rate := func(label string) float64 { return float64(rapid.IntRange(0, 200).Draw(t, label)) }
		kinds := 6
		if depth > 0 {
			kinds = 9
		}
		switch rapid.IntRange(0, kinds-1).Draw(t, "kind") {
		case 0:
			arr := Poisson
			if rapid.Bool().Draw(t, "deterministic") {
				arr = Deterministic
			}
			return Spec{Constant: &ConstantSpec{Rate: rate("rate"), Arrivals: arr}}
		case 1:
			return Spec{Ramp: &RampSpec{From: rate("from"), To: rate("to"), Start: sec("start", 0, 50), Duration: sec("duration", 1, 50)}}
		case 2:
			return Spec{Step: &StepSpec{Base: rate("base"), Multiplier: float64(rapid.IntRange(0, 10).Draw(t, "mult")), Start: sec("start", 0, 50), Duration: sec("duration", 0, 50)}}
		case 3:
			mean := rate("mean")
			return Spec{Diurnal: &DiurnalSpec{Mean: mean, Amplitude: mean * rapid.Float64Range(0, 1).Draw(t, "amp"), Period: sec("period", 1, 100), Phase: sec("phase", 0, 100)}}
		case 4:
			return Spec{Bursty: &BurstySpec{OnRate: rate("on"), OffRate: rate("off"), MeanOn: sec("on", 1, 20), MeanOff: sec("off", 1, 20)}}
		case 5:
			return Spec{Constant: &ConstantSpec{Rate: 0}}
		case 6:
			return Spec{Sum: &SumSpec{Of: rapid.SliceOfN(genSpec(depth-1), 1, 3).Draw(t, "of")}}
		case 7:
			start := sec("start", 0, 50)
			end := time.Duration(0)
			if rapid.Bool().Draw(t, "bounded") {
				end = start + sec("length", 1, 50)
			}
			return Spec{Window: &WindowSpec{Start: start, End: end, Load: genSpec(depth-1).Draw(t, "load")}}
		default:
			var gs []Gap
			at := time.Duration(0)
			for i := rapid.IntRange(0, 3).Draw(t, "gaps"); i > 0; i-- {
				at += sec("before", 0, 20)
				d := sec("duration", 1, 20)
				gs = append(gs, Gap{Start: at, Duration: d})
				at += d
			}
			return Spec{Gaps: &GapsSpec{Gaps: gs, Load: genSpec(depth-1).Draw(t, "load")}}
		}
	})
}

func TestRandomSpecsAreOrderedDeterministicAndRespectBounds(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		spec := genSpec(2).Draw(t, "spec")
		if err := spec.Validate(); err != nil {
			t.Fatalf("generated an invalid spec: %v", err)
		}
		seed := rapid.Uint64().Draw(t, "seed")
		a := mustBuild(t, spec, seed)
		b := mustBuild(t, spec, seed)
		prev := time.Duration(-1)
		for i := 0; i < 300; i++ {
			x, okx := a.Next()
			y, oky := b.Next()
			if x != y || okx != oky {
				t.Fatalf("arrival %d: %v/%v vs %v/%v with the same seed", i, x, okx, y, oky)
			}
			if !okx {
				if _, again := a.Next(); again {
					t.Fatal("an ended process produced another arrival")
				}
				break
			}
			if x < prev {
				t.Fatalf("arrival %d at %v after %v", i, x, prev)
			}
			prev = x
			if w := spec.Window; w != nil && (x < w.Start || (w.End > 0 && x >= w.End)) {
				t.Fatalf("arrival %v outside window [%v,%v)", x, w.Start, w.End)
			}
			if g := spec.Gaps; g != nil {
				for _, gap := range g.Gaps {
					if x >= gap.Start && x < gap.Start+gap.Duration {
						t.Fatalf("arrival %v inside gap %+v", x, gap)
					}
				}
			}
		}
	})
}
