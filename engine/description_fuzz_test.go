package engine

import (
	"bytes"
	"encoding/json"
	"errors"
	"strings"
	"testing"
)

// fuzzDescriptionOptions include a profile so that the profile merge is
// fuzzed too.
var fuzzDescriptionOptions = DescriptionOptions{
	Profiles: map[string]Params{"batch": {"concurrency-level": 4.0, "idle-timeout-mins": 60.0}},
}

// FuzzNewDescription builds descriptions from arbitrary JSON objects (the
// shape of a token's service parameters, of a stored description and of a
// scenario's params) and checks what checkDescription states.
func FuzzNewDescription(f *testing.F) {
	for _, seed := range []string{
		`{"cmd":"kitchen -p $PORT0","cpus":0.1,"mem":256,"version":"v1"}`,
		`{"cmd":"k","cpus":1,"mem":1,"version":"v","name":"My-App_2","env":{"FOO":"bar","WAITER_CONFIG_X":"1"},"metadata":{"team":"a"}}`,
		`{"cmd":"k","cpus":32,"mem":131072,"version":"v","allowed-params":["FOO","BAR"],"profile":"batch"}`,
		`{"cmd":"k","cpus":1,"mem":1,"version":"v","min-instances":3,"max-instances":2,"ports":2,"health-check-port-index":1,"health-check-proto":"h2c"}`,
		`{"cmd":"k","cpus":1,"mem":1,"version":"v","instance-expiry-mins":0,"idle-timeout-mins":43200,"scale-factor":2,"jitter-threshold":0}`,
		`{"cmd":"k","cpus":1e-300,"mem":1,"version":"v","concurrency-level":1.5,"namespace":"*","run-as-user":"bob"}`,
		`{"cmd":"","cpus":-1,"mem":"256","version":7,"env":{"PORT0":"1"},"metadata":{"Bad":""},"unknown":true}`,
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		var params map[string]any
		if json.Unmarshal(body, &params) != nil || params == nil {
			return
		}
		d, err := NewDescription(NormalizeParams(params), fuzzDescriptionOptions)
		checkDescription(t, d, err, fuzzDescriptionOptions)
	})
}

// checkDescription states what every description build must give: either
// a *ValidationError naming known parameters, or a description whose typed
// fields are sane and whose stored form reproduces its service id. The
// router stores Core as JSON (adapters/bolt) and, after a restart, adopts a
// running service only when the description rebuilt from that JSON has the
// same id (cmd/waiter/internal/serve/describe.go); a description that does
// not survive that trip is a service the router loses.
func checkDescription(t *testing.T, d *Description, err error, opts DescriptionOptions) {
	t.Helper()
	if err != nil {
		var ve *ValidationError
		if !errors.As(err, &ve) {
			t.Fatalf("refusal is %T (%v), want *ValidationError", err, err)
		}
		if ve.Summary == "" {
			t.Fatalf("refusal without a summary: %#v", ve)
		}
		for _, fe := range ve.Fields {
			if !IsServiceParam(fe.Field) || fe.Rule == "" || fe.Message == "" {
				t.Fatalf("refusal names an unknown field or says nothing: %#v", fe)
			}
		}
		return
	}
	prefix := opts.ServicePrefix
	if prefix == "" {
		prefix = DefaultServicePrefix
	}
	if !strings.HasPrefix(d.ID, prefix) {
		t.Fatalf("service id %q lacks prefix %q", d.ID, prefix)
	}
	checkTypedFields(t, d)

	stored := storedForm(t, d.Core)
	var back map[string]any
	if err := json.Unmarshal(stored, &back); err != nil {
		t.Fatalf("stored form %s does not decode: %v", stored, err)
	}
	again, err := NewDescription(NormalizeParams(back), opts)
	if err != nil {
		t.Fatalf("service %s: its stored form %s no longer validates: %v", d.ID, stored, err)
	}
	if id := ServiceIDInOrder(opts.ServicePrefix, again.Core, d.KeyOrder); id != d.ID {
		t.Fatalf("service %s: its stored form %s gives id %s", d.ID, stored, id)
	}
}

// checkTypedFields checks the values the engine computes with: a validated
// description must not carry a negative duration or an inverted range,
// whatever the numbers in its parameters.
func checkTypedFields(t *testing.T, d *Description) {
	t.Helper()
	if d.CPUs <= 0 || d.MemMB <= 0 {
		t.Fatalf("cpus %v and mem %v must be positive", d.CPUs, d.MemMB)
	}
	if d.MinInstances < 1 || d.MinInstances > d.MaxInstances {
		t.Fatalf("min-instances %d, max-instances %d", d.MinInstances, d.MaxInstances)
	}
	if d.ConcurrencyLevel < 1 || d.MaxQueueLength < 1 || d.Ports < 1 {
		t.Fatalf("concurrency-level %d, max-queue-length %d, ports %d must be positive",
			d.ConcurrencyLevel, d.MaxQueueLength, d.Ports)
	}
	for name, v := range map[string]int64{
		"grace-period-secs": int64(d.GracePeriod), "idle-timeout-mins": int64(d.IdleTimeout),
		"instance-expiry-mins": int64(d.InstanceExpiry), "health-check-interval-secs": int64(d.HealthCheckInterval),
		"termination-grace-period-secs": int64(d.TerminationGracePeriod),
	} {
		if v < 0 {
			t.Fatalf("%s became the negative duration %d", name, v)
		}
	}
}

// storedForm encodes core as adapters/bolt stores it (encoding/json, HTML
// escaping off).
func storedForm(t *testing.T, core Params) []byte {
	t.Helper()
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(map[string]any(core)); err != nil {
		t.Fatalf("core %v does not encode: %v", core, err)
	}
	return buf.Bytes()
}
