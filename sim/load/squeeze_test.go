package load

import (
	"testing"

	"github.com/waiter-go/waiter/sim/rng"
)

// noFloor hides a rate's floor, so thinning computes λ for every
// candidate, as it did before the squeeze.
type noFloor struct{ rateFunc }

// TestDiurnalSqueezeKeepsArrivals checks that keeping candidates below
// the piece's floor without computing the sine keeps exactly the
// arrivals the full test keeps, draw for draw, over many periods and
// phases (a floor above λ anywhere would keep one the sine refuses).
func TestDiurnalSqueezeKeepsArrivals(t *testing.T) {
	for _, c := range []struct{ mean, amp, phase, period float64 }{
		{1, 0.9, 6 * 3600, 24 * 3600},
		{50, 50, 0, 60},
		{20, 5, -7, 13},
		{3, 1, 1e5, 7},
	} {
		a := newPoisson(newDiurnalRate(c.mean, c.amp, c.phase, c.period), rng.New(3).Derive("a"))
		b := newPoisson(noFloor{newDiurnalRate(c.mean, c.amp, c.phase, c.period)}, rng.New(3).Derive("a"))
		squeezed := 0
		for i := 0; i < 200_000; i++ {
			x, okx := a.Next()
			y, oky := b.Next()
			if x != y || okx != oky {
				t.Fatalf("%+v: arrival %d: %v,%v with the floor, %v,%v without", c, i, x, okx, y, oky)
			}
			if a.low > 0 {
				squeezed++
			}
		}
		if squeezed == 0 {
			t.Fatalf("%+v: the floor was never used", c)
		}
	}
}
