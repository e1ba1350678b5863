package engine

import (
	"reflect"
	"testing"
)

// A description's effective parameters are every code default, then the
// router's defaults, the profile's, the user's and the overrides, each
// over the last; Param reads the same values without building the map.
// Only what differs from the code defaults is held by the description.
func TestEffectiveLayersAndHoldsOnlyWhatDiffers(t *testing.T) {
	opts := DescriptionOptions{
		Defaults:  Params{"concurrency-level": 4.0, "env": map[string]string{"FROM_DEFAULTS": "1"}},
		Profiles:  map[string]Params{"webapp": {"load-balancing": "random", "concurrency-level": 8.0}},
		Overrides: Params{"max-instances": 7.0},
	}
	core := validCore()
	core["profile"] = "webapp"
	core["env"] = map[string]string{"FROM_CORE": "2"}
	core["health-check-url"] = "/ready"
	d, err := NewDescription(core, opts)
	if err != nil {
		t.Fatal(err)
	}
	eff := d.Effective()
	want := map[string]any{
		"cmd": core["cmd"], "cpus": 0.1, "mem": 256.0, "profile": "webapp",
		"concurrency-level": 8.0, "load-balancing": "random", "max-instances": 7.0,
		"min-instances": 1.0, "scale-up-factor": 0.1, "health-check-url": "/ready",
		"liveness-check-url": "/ready", "metric-group": "other",
		"env": map[string]string{"FROM_DEFAULTS": "1", "FROM_CORE": "2"},
	}
	for k, w := range want {
		if !reflect.DeepEqual(eff[k], w) {
			t.Errorf("effective %s = %#v, want %#v", k, eff[k], w)
		}
	}
	for k := range codeDefaults {
		if _, ok := eff[k]; !ok {
			t.Errorf("effective parameters lack the code default %s", k)
		}
	}
	for k, v := range eff {
		if !reflect.DeepEqual(d.Param(k), v) {
			t.Errorf("Param(%s) = %#v, Effective has %#v", k, d.Param(k), v)
		}
	}
	if d.Param("no-such-parameter") != nil {
		t.Error("Param of an unknown name is not nil")
	}
	if len(d.effOwn) > len(eff)/2 {
		t.Errorf("the description holds %d of its %d effective parameters, want only those that differ from the code defaults", len(d.effOwn), len(eff))
	}
	// The map is the caller's: changing it changes neither d nor the
	// code defaults every description shares.
	eff["concurrency-level"] = 99.0
	eff["env"].(map[string]string)["X"] = "y"
	eff["metadata"].(map[string]string)["X"] = "y"
	if d.Param("concurrency-level") != 8.0 || len(codeDefaults["metadata"].(map[string]string)) != 0 {
		t.Error("changing the returned map changed the description or the code defaults")
	}
}

// SetEffective replaces the effective parameters whole: nothing of the
// code defaults shows through.
func TestSetEffectiveReplacesThemWhole(t *testing.T) {
	d, err := NewDescription(validCore(), DescriptionOptions{})
	if err != nil {
		t.Fatal(err)
	}
	d.SetEffective(Params{"cmd": "shown as stored"})
	if eff := d.Effective(); len(eff) != 1 || eff["cmd"] != "shown as stored" {
		t.Errorf("effective after SetEffective = %v", eff)
	}
	if d.Param("concurrency-level") != nil {
		t.Error("a code default shows through SetEffective")
	}
}
