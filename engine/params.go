package engine

import (
	"math"
	"regexp"
	"sort"
	"strconv"
	"strings"
)

// Params is a set of service parameters keyed by Waiter's parameter names
// ("cmd", "cpus", "max-instances", ...). Values are JSON-shaped: string,
// float64 (every number), bool, map[string]string (env, metadata) or
// []string (allowed-params). NormalizeParams converts other Go shapes (ints
// from YAML, []any and map[string]any from JSON) into these.
type Params map[string]any

// Clone returns a deep copy of p.
func (p Params) Clone() Params {
	if p == nil {
		return nil
	}
	out := make(Params, len(p))
	for k, v := range p {
		out[k] = cloneValue(v)
	}
	return out
}

// Keys returns the parameter names in sorted order.
func (p Params) Keys() []string {
	keys := make([]string, 0, len(p))
	for k := range p {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

func cloneValue(v any) any {
	switch t := v.(type) {
	case map[string]string:
		m := make(map[string]string, len(t))
		for k, s := range t {
			m[k] = s
		}
		return m
	case []string:
		// Not append([]string(nil), t...): an empty list would become nil,
		// which JSON stores as null, and a description holding null no
		// longer validates when it is read back.
		out := make([]string, len(t))
		copy(out, t)
		return out
	}
	return v
}

// paramKind is the JSON type a parameter must have.
type paramKind int

const (
	kindString paramKind = iota
	kindInt
	kindNumber
	kindStringMap
	kindStringList
)

func (k paramKind) String() string {
	return [...]string{"a string", "an integer", "a number", "a map of strings", "a list of strings"}[k]
}

// paramSpec describes one service parameter of reference section 2.1.
type paramSpec struct {
	name        string
	kind        paramKind
	def         any  // code default; nil means none
	overridable bool // may be changed through /apps/{id}/override
	// check validates a value of the right kind; it returns a rule name
	// and a message when the value is out of range.
	check func(v any) (rule, msg string)
}

var (
	envKeyPattern      = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9_]*$`)
	metadataKeyPattern = regexp.MustCompile(`^[a-z][a-z0-9\-]*$`)
	metricGroupPattern = regexp.MustCompile(`^[a-z][a-z0-9_\-]*$`)
	reservedPortEnv    = regexp.MustCompile(`^PORT\d*$`)
)

// Limits that Waiter enforces ("The following fields exceed their allowed limits").
const (
	MaxCmdLength = 1200
	MaxCPUs      = 32
	MaxMemMB     = 131072
)

func nonEmpty(v any) (string, string) {
	if v.(string) == "" {
		return "non-empty", "must be a non-empty string"
	}
	return "", ""
}

func oneOf(values ...string) func(any) (string, string) {
	return func(v any) (string, string) {
		s := v.(string)
		for _, ok := range values {
			if s == ok {
				return "", ""
			}
		}
		return "enum", "must be one of " + strings.Join(values, ", ") + " (got " + strconv.Quote(s) + ")"
	}
}

func intRange(lo, hi int) func(any) (string, string) {
	return func(v any) (string, string) {
		n := int(v.(float64))
		if n < lo || n > hi {
			return "range", "must be between " + strconv.Itoa(lo) + " and " + strconv.Itoa(hi) + " (got " + strconv.Itoa(n) + ")"
		}
		return "", ""
	}
}

// numRange checks lo <(=) v <(=) hi with open or closed ends.
func numRange(lo, hi float64, loOpen, hiOpen bool) func(any) (string, string) {
	return func(v any) (string, string) {
		f := v.(float64)
		// NaN (YAML's .nan) fails every comparison, so it is refused by name.
		bad := math.IsNaN(f) || (loOpen && f <= lo) || (!loOpen && f < lo) || (hiOpen && f >= hi) || (!hiOpen && f > hi)
		if bad {
			l, r := "[", "]"
			if loOpen {
				l = "("
			}
			if hiOpen {
				r = ")"
			}
			return "range", "must be in " + l + fmtNum(lo) + ", " + fmtNum(hi) + r + " (got " + fmtNum(f) + ")"
		}
		return "", ""
	}
}

func fmtNum(f float64) string {
	if math.IsInf(f, 1) {
		return "inf"
	}
	return strconv.FormatFloat(f, 'g', -1, 64)
}

var protos = []string{"http", "https", "h2c", "h2"}

// paramSpecs lists every service-description parameter with Waiter's code
// defaults (settings.clj), kinds and ranges (service_description.clj).
var paramSpecs = []paramSpec{
	{name: "allowed-params", kind: kindStringList, def: []string{}, check: checkAllowedParams},
	{name: "authentication", kind: kindString, def: "standard", overridable: true, check: nonEmpty},
	{name: "backend-proto", kind: kindString, def: "http", check: oneOf(protos...)},
	{name: "cmd", kind: kindString, check: checkCmd},
	{name: "cmd-type", kind: kindString, def: "shell", check: nonEmpty},
	{name: "concurrency-level", kind: kindInt, def: 1.0, overridable: true, check: intRange(1, 10000)},
	{name: "cpus", kind: kindNumber, check: numRange(0, math.Inf(1), true, false)},
	{name: "distribution-scheme", kind: kindString, def: "balanced", overridable: true, check: oneOf("balanced", "simple")},
	{name: "env", kind: kindStringMap, def: map[string]string{}, check: checkEnv},
	{name: "expired-instance-restart-rate", kind: kindNumber, def: 0.1, overridable: true, check: numRange(0, 1, true, false)},
	{name: "grace-period-secs", kind: kindInt, def: 30.0, overridable: true, check: intRange(0, 3600)},
	{name: "health-check-authentication", kind: kindString, def: "disabled", check: oneOf("disabled", "standard")},
	{name: "health-check-interval-secs", kind: kindInt, def: 10.0, overridable: true, check: intRange(5, 600)},
	{name: "health-check-max-consecutive-failures", kind: kindInt, def: 5.0, overridable: true, check: intRange(1, 36)},
	{name: "health-check-port-index", kind: kindInt, def: 0.0, check: intRange(0, 9)},
	{name: "health-check-proto", kind: kindString, check: oneOf(protos...)},
	{name: "health-check-url", kind: kindString, def: "/status", check: nonEmpty},
	{name: "idle-timeout-mins", kind: kindInt, def: 30.0, overridable: true, check: intRange(0, 43200)},
	{name: "image", kind: kindString, check: nonEmpty},
	{name: "instance-expiry-mins", kind: kindInt, def: 7200.0, overridable: true, check: intRange(0, MaxInstanceExpiryMins)},
	{name: "interstitial-secs", kind: kindInt, def: 0.0, overridable: true, check: intRange(0, 3600)},
	{name: "jitter-threshold", kind: kindNumber, def: 0.5, overridable: true, check: numRange(0, 1, false, true)},
	{name: "knative-activation-scale", kind: kindInt, overridable: true, check: intRange(1, 2000)},
	{name: "knative-initial-scale", kind: kindInt, overridable: true, check: intRange(1, 2000)},
	{name: "knative-min-scale", kind: kindInt, overridable: true, check: intRange(0, 2000)},
	{name: "knative-scale-down-delay-secs", kind: kindInt, overridable: true, check: intRange(0, 3600)},
	{name: "liveness-check-authentication", kind: kindString, check: oneOf("disabled", "standard")},
	{name: "liveness-check-interval-secs", kind: kindInt, overridable: true, check: intRange(5, 600)},
	{name: "liveness-check-max-consecutive-failures", kind: kindInt, overridable: true, check: intRange(1, 36)},
	{name: "liveness-check-port-index", kind: kindInt, check: intRange(0, 9)},
	{name: "liveness-check-proto", kind: kindString, check: oneOf(protos...)},
	{name: "liveness-check-url", kind: kindString, check: nonEmpty},
	{name: "load-balancing", kind: kindString, def: "oldest", overridable: true, check: oneOf("oldest", "youngest", "random")},
	{name: "max-instances", kind: kindInt, def: 500.0, overridable: true, check: intRange(1, 2000)},
	{name: "max-queue-length", kind: kindInt, def: 1000000.0, overridable: true, check: intRange(1, MaxQueueLengthLimit)},
	{name: "mem", kind: kindNumber, check: numRange(0, math.Inf(1), true, false)},
	{name: "metadata", kind: kindStringMap, def: map[string]string{}, check: checkMetadata},
	{name: "metric-group", kind: kindString, def: "other", check: checkMetricGroup},
	{name: "min-instances", kind: kindInt, def: 1.0, overridable: true, check: intRange(1, 2000)},
	{name: "name", kind: kindString, check: nonEmpty},
	{name: "namespace", kind: kindString, check: nonEmpty},
	{name: "permitted-user", kind: kindString, def: "*", check: nonEmpty},
	{name: "ports", kind: kindInt, def: 1.0, check: intRange(1, 10)},
	{name: "profile", kind: kindString, check: nonEmpty},
	{name: "restart-backoff-factor", kind: kindNumber, def: 2.0, overridable: true, check: numRange(1, MaxRestartBackoffFactor, false, false)},
	{name: "routing-mode", kind: kindString, def: "default", check: oneOf("default", "waiter-router", "headless", "ingress-distributed", "ingress-centralized")},
	{name: "run-as-user", kind: kindString, check: nonEmpty},
	{name: "scale-down-factor", kind: kindNumber, def: 0.001, overridable: true, check: numRange(0, 1, true, true)},
	{name: "scale-factor", kind: kindNumber, def: 1.0, overridable: true, check: numRange(0, 2, true, false)},
	{name: "scale-up-factor", kind: kindNumber, def: 0.1, overridable: true, check: numRange(0, 1, true, true)},
	{name: "scaling-policy", kind: kindString, overridable: true, check: oneOf(PolicyNames()...)},
	{name: "scheduler", kind: kindString, check: nonEmpty},
	{name: "termination-grace-period-secs", kind: kindInt, def: 0.0, overridable: true, check: intRange(0, 300)},
	{name: "version", kind: kindString, check: nonEmpty},
}

// requiredParams have no default: a service cannot run without them.
var requiredParams = []string{"cmd", "cpus", "mem", "version"}

// livenessDefaults maps each liveness-check parameter to the health-check
// parameter it defaults to (param-to-param-default-mapping).
var livenessDefaults = map[string]string{
	"liveness-check-authentication":           "health-check-authentication",
	"liveness-check-interval-secs":            "health-check-interval-secs",
	"liveness-check-max-consecutive-failures": "health-check-max-consecutive-failures",
	"liveness-check-port-index":               "health-check-port-index",
	"liveness-check-proto":                    "health-check-proto",
	"liveness-check-url":                      "health-check-url",
}

var specByName = func() map[string]*paramSpec {
	m := make(map[string]*paramSpec, len(paramSpecs))
	for i := range paramSpecs {
		m[paramSpecs[i].name] = &paramSpecs[i]
	}
	return m
}()

// IsServiceParam reports whether name is a service-description parameter.
func IsServiceParam(name string) bool { _, ok := specByName[name]; return ok }

// IsOverridable reports whether name may be set through /apps/{id}/override.
func IsOverridable(name string) bool {
	s, ok := specByName[name]
	return ok && s.overridable
}

// ServiceParamNames returns every service parameter name, sorted.
func ServiceParamNames() []string {
	names := make([]string, 0, len(paramSpecs))
	for _, s := range paramSpecs {
		names = append(names, s.name)
	}
	sort.Strings(names)
	return names
}

// DefaultParams returns Waiter's code defaults for every parameter that has one.
func DefaultParams() Params {
	p := Params{}
	for _, s := range paramSpecs {
		if s.def != nil {
			p[s.name] = cloneValue(s.def)
		}
	}
	return p
}

func checkCmd(v any) (string, string) {
	s := v.(string)
	if s == "" {
		return "non-empty", "must be a non-empty string"
	}
	if len(s) > MaxCmdLength {
		return "limit", "exceeds the allowed limit of " + strconv.Itoa(MaxCmdLength) + " characters (got " + strconv.Itoa(len(s)) + ")"
	}
	return "", ""
}

func checkMetricGroup(v any) (string, string) {
	s := v.(string)
	if len(s) < 2 || len(s) > 32 || !metricGroupPattern.MatchString(s) {
		return "format", "must be 2 to 32 characters of lowercase letters, digits, '-' or '_', starting with a letter"
	}
	return "", ""
}

// reservedEnvName reports whether Waiter sets this variable itself.
func reservedEnvName(k string) bool {
	switch {
	case k == "HOME", k == "LOGNAME", k == "USER":
		return true
	case strings.HasPrefix(k, "MARATHON_"), strings.HasPrefix(k, "MESOS_"):
		return true
	case reservedPortEnv.MatchString(k):
		return true
	case strings.HasPrefix(k, "WAITER_") && !strings.HasPrefix(k, "WAITER_CONFIG_"):
		return true
	}
	return false
}

func checkEnvName(k string) (string, string) {
	if len(k) > 512 || !envKeyPattern.MatchString(k) {
		return "format", "invalid"
	}
	if reservedEnvName(k) {
		return "reserved", "reserved"
	}
	return "", ""
}

// envNameProblems checks every name and reports all the bad ones in one
// message, as Waiter does ("... invalid: 1_INVALID, 123456, BEGIN-DATE").
func envNameProblems(names []string) (string, string) {
	var invalid, reserved []string
	for _, k := range names {
		switch rule, _ := checkEnvName(k); rule {
		case "format":
			invalid = append(invalid, k)
		case "reserved":
			reserved = append(reserved, k)
		}
	}
	var parts []string
	rule := ""
	if len(invalid) > 0 {
		rule = "format"
		parts = append(parts, "variable names must match ^[A-Za-z][A-Za-z0-9_]*$ and be at most 512 characters; invalid: "+strings.Join(invalid, ", "))
	}
	if len(reserved) > 0 {
		if rule == "" {
			rule = "reserved"
		}
		parts = append(parts, "variable names reserved by Waiter (HOME, LOGNAME, USER, MARATHON_*, MESOS_*, PORT*, WAITER_* except WAITER_CONFIG_*): "+strings.Join(reserved, ", "))
	}
	return rule, strings.Join(parts, "; ")
}

func checkEnv(v any) (string, string) {
	m := v.(map[string]string)
	if len(m) >= 100 {
		return "size", "must have fewer than 100 entries (got " + strconv.Itoa(len(m)) + ")"
	}
	keys := sortedKeys(m)
	rule, msg := envNameProblems(keys)
	var badValues []string
	for _, k := range keys {
		if val := m[k]; len(val) < 1 || len(val) > 512 {
			badValues = append(badValues, k)
		}
	}
	if len(badValues) > 0 {
		if rule == "" {
			rule = "format"
		} else {
			msg += "; "
		}
		msg += "values must be 1 to 512 characters: " + strings.Join(badValues, ", ")
	}
	return rule, msg
}

func checkMetadata(v any) (string, string) {
	m := v.(map[string]string)
	if len(m) >= 100 {
		return "size", "must have fewer than 100 entries (got " + strconv.Itoa(len(m)) + ")"
	}
	var badKeys, badValues []string
	for _, k := range sortedKeys(m) {
		if !metadataKeyPattern.MatchString(k) {
			badKeys = append(badKeys, k)
		}
		if val := m[k]; len(val) < 1 || len(val) > 999 {
			badValues = append(badValues, k)
		}
	}
	var parts []string
	if len(badKeys) > 0 {
		parts = append(parts, "keys must match ^[a-z][a-z0-9\\-]*$; invalid: "+strings.Join(badKeys, ", "))
	}
	if len(badValues) > 0 {
		parts = append(parts, "values must be 1 to 999 characters: "+strings.Join(badValues, ", "))
	}
	if len(parts) == 0 {
		return "", ""
	}
	return "format", strings.Join(parts, "; ")
}

func checkAllowedParams(v any) (string, string) {
	return envNameProblems(v.([]string))
}

func sortedKeys(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
