package rng

import (
	"math"
	"math/bits"
)

// Source is a deterministic stream of random numbers (xoshiro256**).
//
// A Source is not safe for concurrent use; the simulator is single-threaded and
// gives each consumer its own derived stream instead of sharing one.
type Source struct {
	seed           uint64 // identity of the stream; Derive hashes it, never the state
	s0, s1, s2, s3 uint64

	// spare holds the second variate of the last polar-method pair.
	spare    float64
	hasSpare bool
}

// New returns the root stream for seed.
func New(seed uint64) *Source {
	s := &Source{}
	s.reseed(seed)
	return s
}

func (s *Source) reseed(seed uint64) {
	s.seed = seed
	x := seed
	s.s0 = splitmix64(&x)
	s.s1 = splitmix64(&x)
	s.s2 = splitmix64(&x)
	s.s3 = splitmix64(&x)
	s.hasSpare = false
	// xoshiro's only bad state is all zeros; splitmix64 cannot produce four
	// zeros in a row, but be explicit rather than rely on it.
	if s.s0|s.s1|s.s2|s.s3 == 0 {
		s.s0 = 1
	}
}

// Seed returns the seed this stream was created from.
func (s *Source) Seed() uint64 { return s.seed }

// Derive returns an independent stream named name. The result depends only on
// s's seed and name: it does not consume from s, and calling it twice with the
// same name returns two streams that produce the same numbers.
func (s *Source) Derive(name string) *Source {
	// FNV-1a over the name, then mixed with the parent seed through the
	// splitmix64 finalizer so that nearby seeds and similar names still give
	// unrelated children.
	h := uint64(14695981039346656037)
	for i := 0; i < len(name); i++ {
		h ^= uint64(name[i])
		h *= 1099511628211
	}
	return New(mix64(s.seed^mix64(h+0x9e3779b97f4a7c15)) + 0x9e3779b97f4a7c15)
}

// Uint64 returns a uniformly distributed 64-bit value.
func (s *Source) Uint64() uint64 {
	result := bits.RotateLeft64(s.s1*5, 7) * 9
	t := s.s1 << 17
	s.s2 ^= s.s0
	s.s3 ^= s.s1
	s.s1 ^= s.s2
	s.s0 ^= s.s3
	s.s2 ^= t
	s.s3 = bits.RotateLeft64(s.s3, 45)
	return result
}

// Float64 returns a uniform value in [0, 1) with 53 bits of precision.
func (s *Source) Float64() float64 {
	return float64(s.Uint64()>>11) * 0x1p-53
}

// Uint64n returns a uniform value in [0, n). It panics if n is 0.
func (s *Source) Uint64n(n uint64) uint64 {
	if n == 0 {
		panic("rng: Uint64n with n == 0")
	}
	// Lemire's multiply-and-reject: unbiased, and rejects almost never.
	hi, lo := bits.Mul64(s.Uint64(), n)
	if lo < n {
		thresh := -n % n
		for lo < thresh {
			hi, lo = bits.Mul64(s.Uint64(), n)
		}
	}
	return hi
}

// Intn returns a uniform value in [0, n). It panics if n <= 0.
func (s *Source) Intn(n int) int {
	if n <= 0 {
		panic("rng: Intn with n <= 0")
	}
	return int(s.Uint64n(uint64(n)))
}

// ExpFloat64 returns an exponentially distributed value with mean 1.
func (s *Source) ExpFloat64() float64 {
	// Inversion on 1-u, which lies in (0, 1], so the log is always finite.
	return -logUnit(1 - s.Float64())
}

// NormFloat64 returns a standard normal value (mean 0, standard deviation 1).
func (s *Source) NormFloat64() float64 {
	if s.hasSpare {
		s.hasSpare = false
		return s.spare
	}
	// Marsaglia's polar method: two uniforms in the unit disc give two
	// independent normals; the second is kept for the next call.
	u, v, q := s.polarPair()
	f := polarScale(q)
	s.spare = v * f
	s.hasSpare = true
	return u * f
}

// polarPair draws the polar method's next pair: u and v uniform in the
// unit disc (less its centre), q = u² + v² in (0, 1). Pairs outside it
// are drawn again: 21.5 % of them.
func (s *Source) polarPair() (u, v, q float64) {
	for {
		u = 2*s.Float64() - 1
		v = 2*s.Float64() - 1
		q = u*u + v*v
		if q != 0 && q < 1 {
			return u, v, q
		}
	}
}

// polarScale turns a polar pair into two standard normals, u·f and v·f.
func polarScale(q float64) float64 { return math.Sqrt(-2 * logUnit(q) / q) }

// splitmix64 advances x and returns the next splitmix64 output.
func splitmix64(x *uint64) uint64 {
	*x += 0x9e3779b97f4a7c15
	return mix64(*x)
}

// mix64 is the splitmix64 finalizer: a bijection with good avalanche.
func mix64(z uint64) uint64 {
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9
	z = (z ^ (z >> 27)) * 0x94d049bb133111eb
	return z ^ (z >> 31)
}
