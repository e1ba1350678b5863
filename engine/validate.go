package engine

import (
	"sort"
	"strconv"
	"strings"
)

// validateParams checks every parameter of effective for kind and range,
// the required parameters, the limits and the cross-field rules of
// Waiter's validate-schema. It returns all violations, not the first.
func validateParams(core, effective Params) []FieldError {
	var errs []FieldError
	add := func(field, rule, msg string) {
		errs = append(errs, FieldError{Field: field, Rule: rule, Message: msg})
	}

	for _, name := range effective.Keys() {
		spec, ok := specByName[name]
		if !ok {
			continue // unknown keys are dropped (sanitize-service-description)
		}
		v, ferr := coerce(spec, effective[name])
		if ferr == nil && !validUTF8(v) {
			ferr = &FieldError{Field: name, Rule: "encoding", Message: "must be valid UTF-8"}
		}
		if ferr != nil {
			errs = append(errs, *ferr)
			delete(effective, name)
			continue
		}
		effective[name] = v
		if rule, msg := checkText(spec, v); rule != "" {
			add(name, rule, msg)
			continue
		}
		if rule, msg := spec.check(v); rule != "" {
			add(name, rule, msg)
		}
	}
	for k := range effective {
		if !IsServiceParam(k) {
			delete(effective, k)
		}
	}
	for k := range core {
		if !IsServiceParam(k) {
			delete(core, k)
		} else if v, ok := effective[k]; ok {
			core[k] = v // keep the coerced form so the id is stable
		}
	}

	for _, name := range requiredParams {
		if _, ok := effective[name]; !ok {
			add(name, "required", "is required")
		}
	}

	// Limits: Waiter reports these as "The following fields exceed their allowed limits".
	if f, ok := effective["cpus"].(float64); ok && f > MaxCPUs {
		add("cpus", "limit", "exceeds the allowed limit of "+strconv.Itoa(MaxCPUs)+" (got "+fmtNum(f)+")")
	}
	if f, ok := effective["mem"].(float64); ok && f > MaxMemMB {
		add("mem", "limit", "exceeds the allowed limit of "+strconv.Itoa(MaxMemMB)+" MB (got "+fmtNum(f)+")")
	}

	if ct, ok := effective["cmd-type"].(string); ok && ct != "" && ct != "shell" {
		add("cmd-type", "unsupported", "Command type "+ct+" is not supported")
	}

	num := func(k string) (float64, bool) { f, ok := effective[k].(float64); return f, ok }
	if lo, ok1 := num("min-instances"); ok1 {
		if hi, ok2 := num("max-instances"); ok2 && lo > hi {
			add("min-instances", "cross-field", "min-instances ("+fmtNum(lo)+") must be less than or equal to max-instances ("+fmtNum(hi)+")")
		}
	}
	for _, prefix := range []string{"health-check", "liveness-check"} {
		idx, ok1 := num(prefix + "-port-index")
		ports, ok2 := num("ports")
		if ok1 && ok2 && idx >= ports {
			add(prefix+"-port-index", "cross-field", prefix+"-port-index ("+fmtNum(idx)+") must be less than ports ("+fmtNum(ports)+")")
		}
		proto, hasProto := effective[prefix+"-proto"].(string)
		backend, _ := effective["backend-proto"].(string)
		if hasProto && ok1 && idx == 0 && proto != backend {
			add(prefix+"-proto", "cross-field", prefix+"-proto ("+proto+") must match backend-proto ("+backend+") when "+prefix+"-port-index is 0")
		}
	}
	if auth, _ := effective["authentication"].(string); auth == "disabled" {
		if hca, _ := effective["health-check-authentication"].(string); hca == "standard" {
			add("health-check-authentication", "cross-field", "health-check-authentication standard requires authentication to be enabled")
		}
	}
	if ns, ok := effective["namespace"].(string); ok {
		if user, _ := effective["run-as-user"].(string); ns != "*" && ns != user {
			add("namespace", "cross-field", "namespace ("+ns+") must equal run-as-user ("+user+")")
		}
	}
	return errs
}

func quote(s string) string { return strconv.Quote(s) }

func joinSorted(s []string) string {
	s = append([]string(nil), s...)
	sort.Strings(s)
	return strings.Join(s, ", ")
}
