package scenario

import (
	"errors"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"testing"
	"time"
)

// parseBound is how long decoding and validating one fuzz input may take;
// real scenarios take microseconds, so only a runaway (exponential alias
// expansion, a loop that never ends) gets near it.
const parseBound = 3 * time.Second

// FuzzParse feeds Parse arbitrary bytes. Properties: it returns within
// parseBound, never panics, refuses with a *scenario.Error that says
// something, and what it accepts is a scenario the simulator can run: a
// positive duration, a known policy, something to simulate, every default
// filled in, and no NaN or infinity anywhere (a NaN slips through every
// "must be positive" check and poisons the run).
func FuzzParse(f *testing.F) {
	files, err := filepath.Glob("../../scenarios/*.yaml")
	if err != nil || len(files) == 0 {
		f.Fatalf("no scenario files to seed from (%v)", err)
	}
	for _, file := range files {
		b, err := os.ReadFile(file)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	for _, seed := range []string{
		"name: a\nduration: 1m\nservices:\n  - name: a\n    load: {kind: constant, rate: 1}\n",
		"name: a\nduration: 1m\nservices:\n  - name: a\n    load: &l {kind: sum, of: [{kind: constant, rate: 1}]}\n  - name: b\n    load: *l\n",
		"name: a\nduration: 1m\nmarathon: {agent-cpus: .nan}\nservices:\n  - name: a\n    load: {kind: constant, rate: 1}\n",
		"name: a\nduration: 1m\nservices:\n  - name: a\n    params: {cpus: .inf}\n    load: {kind: window, start: 0s, end: 1m, load: {kind: gaps, gaps: [{start: 1s, duration: 1s}], load: {kind: ramp, from: 1, to: 2, duration: 1m}}}\n",
		"name: a\nduration: 1m\nfaults: [{kind: slow-launch, duration: 1m, factor: 2}]\nassertions: [{metric: requests, max: 1}]\n",
		"name: a\nduration: 1m\nservices:\n  - &s {name: a, startup: {kind: lognormal, median: 2s, sigma: 0.3}, load: {kind: constant, rate: 1}}\n  - {<<: *s, name: b, service-time: 20ms}\n",
		"name: a\nduration: 1m\nservices:\n  - name: a\n    startup: 5\n    load: {kind: bursty, on_rate: 5}\n",
		"x: [",
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		type result struct {
			sc  *Scenario
			err error
		}
		done := make(chan result, 1)
		go func() {
			sc, err := Parse("fuzz.yaml", data)
			done <- result{sc, err}
		}()
		var res result
		select {
		case res = <-done:
		case <-time.After(parseBound):
			t.Fatalf("Parse did not return within %s", parseBound)
		}
		if res.err != nil {
			var se *Error
			if !errors.As(res.err, &se) || se.Msg == "" || se.File != "fuzz.yaml" {
				t.Fatalf("refusal is %T (%v), want a *scenario.Error naming the file and the problem", res.err, res.err)
			}
			return
		}
		checkRunnable(t, res.sc)
	})
}

// checkRunnable states what the simulator relies on in a scenario that
// Parse accepted.
func checkRunnable(t *testing.T, sc *Scenario) {
	t.Helper()
	if sc.Duration <= 0 || (sc.Policy != "waiter" && sc.Policy != "knative") {
		t.Fatalf("accepted duration %s, policy %q", sc.Duration, sc.Policy)
	}
	if len(sc.Services) == 0 && sc.Trace == nil {
		t.Fatal("accepted a scenario with nothing to simulate")
	}
	m := sc.Marathon
	if m.Agents <= 0 || !(m.AgentCPUs > 0) || !(m.AgentMemMB > 0) || m.LaunchLatency == nil {
		t.Fatalf("accepted marathon %+v", m)
	}
	for _, s := range sc.Services {
		if s.Load == nil || s.Startup == nil || s.ServiceTime == nil {
			t.Fatalf("service %q lacks a load, startup or service time", s.Name)
		}
	}
	if path, ok := nonFinite(reflect.ValueOf(sc), "scenario"); ok {
		t.Fatalf("accepted a non-finite number at %s", path)
	}
}

// nonFinite returns the path of the first NaN or infinite float in v.
func nonFinite(v reflect.Value, path string) (string, bool) {
	switch v.Kind() {
	case reflect.Float32, reflect.Float64:
		if f := v.Float(); math.IsNaN(f) || math.IsInf(f, 0) {
			return path, true
		}
	case reflect.Pointer, reflect.Interface:
		if !v.IsNil() {
			return nonFinite(v.Elem(), path)
		}
	case reflect.Struct:
		for i := 0; i < v.NumField(); i++ {
			if p, ok := nonFinite(v.Field(i), path+"."+v.Type().Field(i).Name); ok {
				return p, true
			}
		}
	case reflect.Slice, reflect.Array:
		for i := 0; i < v.Len(); i++ {
			if p, ok := nonFinite(v.Index(i), path+"["+strconv.Itoa(i)+"]"); ok {
				return p, true
			}
		}
	case reflect.Map:
		iter := v.MapRange()
		for iter.Next() {
			if p, ok := nonFinite(iter.Value(), path+"."+iter.Key().String()); ok {
				return p, true
			}
		}
	}
	return "", false
}
