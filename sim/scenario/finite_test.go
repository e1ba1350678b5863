package scenario

import (
	"errors"
	"testing"
)

// A NaN fails every comparison, so "must be positive" checks written as
// x <= 0 let it through; YAML spells it .nan. Each of these is refused
// with the path of the field it sits in.
func TestNonFiniteNumbersAreRefused(t *testing.T) {
	const svc = "services:\n  - name: a\n    load: {kind: constant, rate: 1}\n"
	for _, tc := range []struct{ yaml, field string }{
		{"name: x\nduration: 1m\nmarathon: {agent-cpus: .nan}\n" + svc, "marathon.agent-cpus"},
		{"name: x\nduration: 1m\nmarathon: {agent-mem: .inf}\n" + svc, "marathon.agent-mem"},
		{"name: x\nduration: 1m\nmarathon: {launch-latency: {kind: lognormal, median: 1s, sigma: .nan}}\n" + svc, "marathon.launch-latency.sigma"},
		{"name: x\nduration: 1m\nservices:\n  - name: a\n    params: {cpus: .nan}\n    load: {kind: constant, rate: 1}\n", "services[0].params.cpus"},
		{"name: x\nduration: 1m\nservices:\n  - name: a\n    load: {kind: step, base: 1, multiplier: -.inf}\n", "services[0].load.multiplier"},
		{"name: x\nduration: 1m\nfaults: [{kind: slow-launch, duration: 1m, factor: .nan}]\n" + svc, "faults[0].factor"},
		{"name: x\nduration: 1m\nassertions: [{metric: requests, max: .nan}]\n" + svc, "assertions[0].max"},
	} {
		_, err := Parse("t.yaml", []byte(tc.yaml))
		var se *Error
		if !errors.As(err, &se) || se.Field != tc.field {
			t.Errorf("%q: got %v, want an error on %s", tc.yaml, err, tc.field)
		}
	}
	if _, err := Parse("t.yaml", []byte("name: x\nduration: 1m\n"+svc)); err != nil {
		t.Fatalf("the finite scenario is refused: %v", err)
	}
}
