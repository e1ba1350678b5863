package engine

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"
)

// fieldRule returns the rule the validation error names for field, or "".
func fieldRule(err error, field string) string {
	var ve *ValidationError
	if !errors.As(err, &ve) {
		return ""
	}
	for _, f := range ve.Fields {
		if f.Field == field {
			return f.Rule
		}
	}
	return ""
}

// Integers that would overflow the engine's durations or counters are
// refused with the field named, not accepted and turned into garbage.
func TestNumericOverflowIsRefused(t *testing.T) {
	for _, c := range []struct {
		field string
		value float64
		rule  string
	}{
		{"instance-expiry-mins", 9e18, "range"},
		{"instance-expiry-mins", MaxInstanceExpiryMins + 1, "range"},
		{"max-queue-length", 1e15, "range"},
		{"restart-backoff-factor", 1e300, "range"},
		// Beyond 2^53 a float64 no longer holds every integer.
		{"max-queue-length", 1e17, "range"},
		{"concurrency-level", -1e19, "range"},
		{"min-instances", 1.5, "type"},
	} {
		core := validCore()
		core[c.field] = c.value
		_, err := NewDescription(core, DescriptionOptions{})
		if got := fieldRule(err, c.field); got != c.rule {
			t.Errorf("%s=%g: rule %q, want %q (error: %v)", c.field, c.value, got, c.rule, err)
		}
	}
	core := validCore()
	core["instance-expiry-mins"] = float64(MaxInstanceExpiryMins)
	d, err := NewDescription(core, DescriptionOptions{})
	if err != nil {
		t.Fatalf("the largest expiry is refused: %v", err)
	}
	if d.InstanceExpiry <= 0 || d.InstanceExpiry != time.Duration(MaxInstanceExpiryMins)*time.Minute {
		t.Errorf("the largest expiry became %v", d.InstanceExpiry)
	}
}

// A request timeout header so large that milliseconds overflow a
// time.Duration is capped at one hour like any other large value, never
// turned negative.
func TestTimeoutHeadersDoNotOverflow(t *testing.T) {
	for _, v := range []string{"9223372036854775807", "99999999999999", "9223372036855"} {
		hp, err := ParseHeaders(map[string][]string{"X-Waiter-Timeout": {v}, "X-Waiter-Queue-Timeout": {v}})
		if err != nil {
			t.Fatalf("%s: %v", v, err)
		}
		if hp.Request.SocketTimeout != time.Hour || hp.Request.QueueTimeout != time.Hour {
			t.Errorf("%s: timeouts %v and %v, want one hour", v, hp.Request.SocketTimeout, hp.Request.QueueTimeout)
		}
	}
	_, err := ParseHeaders(map[string][]string{"X-Waiter-Timeout": {"99999999999999999999999"}})
	if fieldRule(err, "x-waiter-timeout") != "range" {
		t.Errorf("a value beyond int64 must be refused: %v", err)
	}
}

// Invalid UTF-8 anywhere in a description or its headers is refused: the
// store keeps JSON, which would turn the bytes into U+FFFD and give the
// stored description a different service id than the one it was stored
// under (utf8_test.go covers the map and list shapes; this adds name, cmd
// and the headers that are not parameters).
func TestInvalidUTF8InHeadersIsRefused(t *testing.T) {
	bad := "v\xff1"
	for _, c := range []struct {
		field string
		value any
	}{
		{"version", bad},
		{"name", bad},
		{"cmd", "kitchen " + bad},
		{"env", map[string]string{"FOO": bad}},
		{"metadata", map[string]string{"team": bad}},
		{"allowed-params", []string{"FOO\xfe"}},
	} {
		core := validCore()
		core[c.field] = c.value
		_, err := NewDescription(core, DescriptionOptions{})
		rule := fieldRule(err, c.field)
		if rule == "" {
			t.Errorf("%s with invalid UTF-8 accepted: %v", c.field, err)
		}
		if c.field != "allowed-params" && rule != "encoding" {
			t.Errorf("%s: rule %q, want encoding (%v)", c.field, rule, err)
		}
	}
	_, err := ParseHeaders(map[string][]string{"X-Waiter-Token": {"tok\xff"}})
	if fieldRule(err, "x-waiter-token") == "" {
		t.Errorf("an x-waiter-token with invalid UTF-8 accepted: %v", err)
	}
	_, err = ParseHeaders(map[string][]string{"X-Waiter-Param-Foo": {bad}})
	if fieldRule(err, "x-waiter-param-foo") != "encoding" {
		t.Errorf("an x-waiter-param value with invalid UTF-8 accepted: %v", err)
	}
}

// Every description the engine accepts keeps its id through the store's
// JSON round trip: what is stored reproduces the id it is stored under.
func TestAcceptedDescriptionsSurviveJSON(t *testing.T) {
	cores := []Params{
		validCore(),
		{"cmd": "k", "cpus": 0.25, "mem": 64.0, "version": "é-ünï-✓", "name": "Ünïcode name",
			"env": map[string]string{"GREETING": "héllo"}, "metadata": map[string]string{"team": "naïve"},
			"allowed-params": []string{}},
	}
	for _, core := range cores {
		d, err := NewDescription(core, DescriptionOptions{})
		if err != nil {
			t.Fatalf("%v: %v", core, err)
		}
		raw, err := json.Marshal(d.Core)
		if err != nil {
			t.Fatal(err)
		}
		var back map[string]any
		if err := json.Unmarshal(raw, &back); err != nil {
			t.Fatal(err)
		}
		again, err := NewDescription(NormalizeParams(back), DescriptionOptions{})
		if err != nil || again.ID != d.ID {
			t.Errorf("stored description gives %v (%v), want id %s", again, err, d.ID)
		}
	}
}

// Names and string values have length limits, so an id, a scheduler app
// name or a folder name derived from them always fits.
func TestStringLengthLimits(t *testing.T) {
	for _, c := range []struct {
		field string
		value any
	}{
		{"name", strings.Repeat("n", MaxNameLength+1)},
		{"version", strings.Repeat("v", MaxStringParamLength+1)},
		{"health-check-url", "/" + strings.Repeat("h", MaxStringParamLength)},
		{"run-as-user", strings.Repeat("u", MaxStringParamLength+1)},
		{"metadata", map[string]string{strings.Repeat("k", MaxStringParamLength+1): "v"}},
		{"allowed-params", manyNames(100)},
	} {
		core := validCore()
		core[c.field] = c.value
		_, err := NewDescription(core, DescriptionOptions{})
		if rule := fieldRule(err, c.field); rule != "limit" && rule != "size" {
			t.Errorf("%s too long: rule %q, want limit or size (%v)", c.field, rule, err)
		}
	}
	core := validCore()
	core["name"] = strings.Repeat("n", MaxNameLength)
	if _, err := NewDescription(core, DescriptionOptions{}); err != nil {
		t.Errorf("a name of the maximum length is refused: %v", err)
	}
}

func manyNames(n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = "P" + strings.Repeat("X", i)
	}
	return out
}

// Token names in x-waiter-token are bounded before any store is asked
// about them: too long, too many. Their characters are not checked:
// Waiter answers a name no token can have with 404 "Token not found"
// (test-bad-token), and so does this router.
func TestTokenHeaderNamesAreChecked(t *testing.T) {
	for _, v := range []string{strings.Repeat("t", MaxTokenNameLength+1),
		strings.TrimSuffix(strings.Repeat("t1,", MaxTokensPerRequest+1), ",")} {
		_, err := ParseHeaders(map[string][]string{"X-Waiter-Token": {v}})
		if fieldRule(err, "x-waiter-token") == "" {
			t.Errorf("x-waiter-token %.40q accepted: %v", v, err)
		}
	}
	hp, err := ParseHeaders(map[string][]string{"X-Waiter-Token": {"good.token-1, bad#token"}})
	if err != nil || len(hp.Tokens) != 2 {
		t.Errorf("valid token names refused: %v %v", hp.Tokens, err)
	}
	if err := ValidTokenName(strings.Repeat("t", MaxTokenNameLength)); err != nil {
		t.Errorf("a token name of the maximum length is refused: %v", err)
	}
	for _, name := range []string{"bad#token", "a/b", "t", strings.Repeat("t", MaxTokenNameLength+1), "t\xff"} {
		if err := ValidTokenName(name); err == nil {
			t.Errorf("token name %.40q accepted for a new token", name)
		}
	}
}
