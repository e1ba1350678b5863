package rng

import "testing"

// goldenSequence is New(1)'s first three Uint64 outputs followed by the first
// output of New(1).Derive("load"). Changing it changes every seeded report.
var goldenSequence = []uint64{0xb3f2af6d0fc710c5, 0x853b559647364cea, 0x92f89756082a4514, 0x9089f40ab8a221a9}

// The reference implementation (prng.di.unimi.it/xoshiro256starstar.c) started
// from state {1, 2, 3, 4} yields these values; this checks the generator
// itself, independently of how seeds are expanded.
func TestXoshiroReferenceVector(t *testing.T) {
	s := &Source{s0: 1, s1: 2, s2: 3, s3: 4}
	want := []uint64{11520, 0, 1509978240, 1215971899390074240}
	for i, w := range want {
		if got := s.Uint64(); got != w {
			t.Fatalf("output %d = %d, want %d", i, got, w)
		}
	}
}
