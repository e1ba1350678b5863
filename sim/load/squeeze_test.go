package load

import (
	"math"
	"testing"

	"github.com/waiter-go/waiter/sim/rng"
)

// noBracket hides a rate's bracket, so thinning computes λ for every
// candidate, as it did before the squeeze; calls counts those λs.
type noBracket struct {
	rateFunc
	calls *int
}

func (n noBracket) rate(t float64) float64 { *n.calls++; return n.rateFunc.rate(t) }

// counted is a diurnal rate, bracket and all, counting its λs.
type counted struct {
	*diurnalRate
	calls *int
}

func (c counted) rate(t float64) float64 { *c.calls++; return c.diurnalRate.rate(t) }

// TestDiurnalSqueezeKeepsArrivals checks that deciding candidates outside
// the rate's bracket without computing the sine keeps exactly the
// arrivals the full test keeps, draw for draw, over many periods, phases
// and amplitudes of either sign (a bracket that misses λ anywhere would
// keep one the sine refuses, or refuse one it keeps), and that the
// squeeze spares most sines.
func TestDiurnalSqueezeKeepsArrivals(t *testing.T) {
	for _, c := range []struct{ mean, amp, phase, period float64 }{
		{1, 0.9, 6 * 3600, 24 * 3600},
		{50, 50, 0, 60},
		{20, 5, -7, 13},
		{3, 1, 1e5, 7},
		{7, 0.5, 11, 17},
		{1e-3, 1e-3, 0, 1e4},
	} {
		var squeezed, full int
		a := newPoisson(counted{newDiurnalRate(c.mean, c.amp, c.phase, c.period), &squeezed}, rng.New(3).Derive("a"))
		b := newPoisson(noBracket{newDiurnalRate(c.mean, c.amp, c.phase, c.period), &full}, rng.New(3).Derive("a"))
		if a.br == nil || b.br != nil {
			t.Fatalf("%+v: the bracket is not where the test needs it", c)
		}
		for i := 0; i < 200_000; i++ {
			x, okx := a.Next()
			y, oky := b.Next()
			if x != y || okx != oky {
				t.Fatalf("%+v: arrival %d: %v,%v with the bracket, %v,%v without", c, i, x, okx, y, oky)
			}
		}
		// full counts every thinned candidate: the bracket must decide
		// nearly all of them.
		if full == 0 || squeezed*10 > full {
			t.Fatalf("%+v: the bracket left %d of %d candidates to the sine", c, squeezed, full)
		}
		t.Logf("%+v: %d of %d candidates computed the sine", c, squeezed, full)
	}
}

// TestSinBracketsHoldTheSine checks the step table against the sine
// itself, densely, across each bracket's three steps.
func TestSinBracketsHoldTheSine(t *testing.T) {
	const per = 200
	for g := 0; g < sinSteps; g++ {
		for k := 0; k <= 3*per; k++ {
			theta := 2 * math.Pi * (float64(g-1) + float64(k)/per) / sinSteps
			s := math.Sin(theta)
			if s < sinLow[g]-1e-12 || s > sinHigh[g]+1e-12 {
				t.Fatalf("step %d: sin(%v) = %v outside [%v, %v]", g, theta, s, sinLow[g], sinHigh[g])
			}
		}
	}
}
