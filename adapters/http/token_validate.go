package waiterhttp

import (
	"fmt"
	"net/http"
	"regexp"
	"sort"
	"strings"

	"github.com/waiter-go/waiter/engine"
)

// validTokenName applies the rule for naming a token (Waiter's pattern,
// and a length limit Waiter does not have) before any store call.
func validTokenName(name string) *Error {
	fe := engine.ValidTokenName(name)
	if fe == nil {
		return nil
	}
	if fe.Rule == "format" {
		// Waiter's words (test-bad-token expects them).
		return tokenNameError(fe, "Token must match pattern: "+engine.TokenNamePattern+" (got "+fmt.Sprintf("%q", name)+")")
	}
	return tokenNameError(fe, "Token name "+fe.Message)
}

// checkTokenLookup bounds a token name that is only looked up (GET and
// DELETE /token): too long or not UTF-8 is 400 before the store is asked;
// any other name that cannot exist is simply not found, as in Waiter.
func checkTokenLookup(name string) *Error {
	if fe := engine.ValidTokenName(name); fe != nil && fe.Rule != "format" {
		return tokenNameError(fe, "Token name "+fe.Message)
	}
	return nil
}

func tokenNameError(fe *engine.FieldError, msg string) *Error {
	return &Error{Status: http.StatusBadRequest, Message: msg,
		Details: map[string]any{"fields": []map[string]string{{"field": fe.Field, "rule": fe.Rule, "message": fe.Message}}}}
}

// validateTokenData checks a token body before it is stored, reporting
// every problem at once: unknown keys, system metadata a user may not set,
// service parameters out of range (a token may be partial, so missing
// required parameters are fine), and malformed token metadata.
func (s *Server) validateTokenData(data map[string]any, admin bool) *Error {
	if len(data) == 0 {
		return badRequest("No parameters provided for the token")
	}
	svc, meta, unknown := engine.SplitTokenData(data)
	if len(unknown) > 0 {
		return &Error{Status: http.StatusBadRequest, Message: "Unsupported key(s) in token: " + strings.Join(unknown, ", "),
			Details: map[string]any{"unsupported-keys": unknown}}
	}
	var system []string
	for k := range meta {
		if engine.IsSystemTokenKey(k) && !(admin && (k == "root" || k == "cluster")) {
			system = append(system, k)
		}
	}
	if len(system) > 0 {
		sort.Strings(system)
		return badRequest("Cannot modify system metadata key(s): " + strings.Join(system, ", "))
	}
	var fields []engine.FieldError
	if len(svc) > 0 {
		if _, err := engine.NewDescription(svc, s.cfg.Description); err != nil {
			if ve, ok := err.(*engine.ValidationError); ok {
				for _, f := range ve.Fields {
					if f.Rule != "required" {
						fields = append(fields, f)
					}
				}
			}
		}
	}
	fields = append(fields, engine.DisabledAuthenticationProblems(svc, s.cfg.Description.Defaults)...)
	fields = append(fields, validateTokenMeta(meta)...)
	if len(fields) > 0 {
		sort.SliceStable(fields, func(i, j int) bool { return fields[i].Field < fields[j].Field })
		return fromValidation(&engine.ValidationError{Summary: "Token is improperly configured", Fields: fields})
	}
	return nil
}

// validateTokenMeta checks token-only metadata (reference 2.2).
func validateTokenMeta(meta map[string]any) []engine.FieldError {
	var errs []engine.FieldError
	bad := func(k, rule, msg string) { errs = append(errs, engine.FieldError{Field: k, Rule: rule, Message: msg}) }
	intIn := func(k string, lo, hi float64) {
		v, ok := meta[k]
		if !ok {
			return
		}
		f, isNum := v.(float64)
		if !isNum || f != float64(int64(f)) || f < lo || f > hi {
			bad(k, "range", fmt.Sprintf("must be an integer between %g and %g (got %v)", lo, hi, v))
		}
	}
	intIn("fallback-period-secs", 0, 86400)
	intIn("stale-timeout-mins", 0, 240)
	for _, k := range []string{"queue-timeout-ms", "socket-timeout-ms", "streaming-timeout-ms"} {
		intIn(k, 0, 3600000)
	}
	for _, k := range []string{"owner", "editor"} {
		if v, ok := meta[k]; ok {
			if str, isStr := v.(string); !isStr || str == "" {
				bad(k, "type", "must be a non-empty string")
			}
		}
	}
	if v, ok := meta["https-redirect"]; ok {
		if _, isBool := v.(bool); !isBool {
			bad("https-redirect", "type", "must be a boolean")
		}
	}
	if v, ok := meta["service-mapping"]; ok {
		if str, _ := v.(string); str != "legacy" && str != "exclusive" && str != "default" {
			bad("service-mapping", "enum", "must be one of legacy, exclusive, default")
		}
	}
	if v, ok := meta["maintenance"]; ok {
		m, isMap := v.(map[string]any)
		msg, _ := m["message"].(string)
		if !isMap || len(m) != 1 || len(msg) < 1 || len(msg) > 512 {
			bad("maintenance", "format", `must be {"message": "<1 to 512 characters>"}`)
		}
	}
	if v, ok := meta["cors-rules"]; ok {
		rules, isList := v.([]any)
		valid := isList
		for _, rule := range rules {
			m, isMap := rule.(map[string]any)
			if re, _ := m["origin-regex"].(string); !isMap || re == "" {
				valid = false
			} else if _, err := regexp.Compile(re); err != nil {
				valid = false
			}
		}
		if !valid {
			bad("cors-rules", "format", "must be a list of {origin-regex, target-path-regex?, methods?} with valid regexes")
		}
	}
	return errs
}
