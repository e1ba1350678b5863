package waiterhttp

import (
	"fmt"
	"net/http"
	"regexp"
	"sort"
	"strings"

	"github.com/waiter-go/waiter/engine"
)

// tokenNamePattern is Waiter's rule for token names (validate-token).
var tokenNamePattern = regexp.MustCompile(`^[a-zA-Z]([a-zA-Z0-9\-_$.])+$`)

func validTokenName(name string) *Error {
	if !tokenNamePattern.MatchString(name) {
		return badRequest("Token must match pattern: " + tokenNamePattern.String() + " (got " + fmt.Sprintf("%q", name) + ")")
	}
	return nil
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
