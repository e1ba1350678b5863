package engine

import (
	"errors"
	"math"
	"testing"
)

// NaN reaches the engine from YAML (scenarios, the router's config); it
// fails every comparison, so a number parameter must refuse it by name.
func TestNaNNumberParameterIsRefused(t *testing.T) {
	for _, name := range []string{"cpus", "mem", "scale-factor", "jitter-threshold", "restart-backoff-factor"} {
		p := Params{"cmd": "k", "cpus": 1.0, "mem": 1.0, "version": "v1", name: math.NaN()}
		_, err := NewDescription(p, DescriptionOptions{})
		var ve *ValidationError
		if !errors.As(err, &ve) || !hasRule(ve, name, "range") {
			t.Errorf("%s = NaN: got %v, want a range error naming %s", name, err, name)
		}
	}
}
