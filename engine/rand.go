package engine

// splitmix64 is a tiny deterministic generator seeded from Config.Seed.
// The engine keeps its own so that no global source is ever touched.
type splitmix64 struct{ state uint64 }

func (s *splitmix64) next() uint64 {
	s.state += 0x9e3779b97f4a7c15
	z := s.state
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9
	z = (z ^ (z >> 27)) * 0x94d049bb133111eb
	return z ^ (z >> 31)
}

// intn returns a value in [0, n) for n > 0.
func (s *splitmix64) intn(n int) int {
	return int(s.next() % uint64(n))
}
