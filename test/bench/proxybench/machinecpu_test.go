package main

import (
	"testing"
	"time"
)

func TestParseMachineCPU(t *testing.T) {
	stat := "cpu  100 5 50 800 20 3 7 15 0 0\ncpu0 50 2 25 400 10 1 3 7 0 0\nintr 1\n"
	m, ok := parseMachineCPU(stat)
	if !ok {
		t.Fatal("the aggregate line did not parse")
	}
	if want := (machineCPU{busy: 100 + 5 + 50 + 3 + 7 + 15, idle: 800 + 20}); m != want {
		t.Fatalf("got %+v, want %+v", m, want)
	}
	for _, bad := range []string{"", "cpu0 1 2 3 4 5 6 7 8\n", "cpu 1 2 3\n", "cpu 1 2 x 4 5 6 7 8\n"} {
		if _, ok := parseMachineCPU(bad); ok {
			t.Errorf("%q parsed", bad)
		}
	}
	later := machineCPU{busy: m.busy + 300, idle: m.idle + 100}
	if got := idleShare(m, later); got != 0.25 {
		t.Errorf("idle share %v, want 0.25", got)
	}
	if got := machineBusy(m, later); got != 300*clockTick {
		t.Errorf("busy %v, want %v", got, 3*time.Second)
	}
	if got := idleShare(m, m); got != 0 {
		t.Errorf("idle share over nothing %v, want 0", got)
	}
}
