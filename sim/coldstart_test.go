package sim

import (
	"testing"

	"github.com/waiter-go/waiter/sim/scenario"
)

// Two bursts 3 minutes apart, with idle removal after one minute: the
// service cold-starts twice, and every request of a burst that arrives
// before its first instance is ready is a cold-start request.
func TestColdStartsCountRequestsAndServicesApart(t *testing.T) {
	sc, err := scenario.Parse("two-bursts", []byte(`name: two-bursts
duration: 6m
scheduler: shell
marathon: {launch-latency: 10ms}
services:
  - name: s
    params: {idle-timeout-mins: 1}
    startup: 2s
    service-time: 100ms
    load:
      kind: gaps
      gaps: [{start: 20s, duration: 3m}, {start: 3m40s, duration: 3m}]
      load: {kind: constant, rate: 5, arrivals: deterministic}
`))
	if err != nil {
		t.Fatal(err)
	}
	_, rep := runJSON(t, sc, Options{})
	tot := rep.Totals
	if tot.ColdStartServices != 2 {
		t.Errorf("cold-started services %d, want 2 (one per burst)", tot.ColdStartServices)
	}
	// About 2 s of each burst at 5 rps wait for the first instance.
	if tot.ColdStarts < 2*8 || tot.ColdStarts > 2*13 {
		t.Errorf("cold-start requests %d, want about 2×10", tot.ColdStarts)
	}
}
