package engine

import (
	"strconv"
	"unicode/utf8"
)

// Size limits on what a description and a request may carry. Waiter
// itself bounds only cmd, cpus and mem; the rest keep every value the
// engine derives from a description inside what its types, the store
// and the schedulers can hold, so a bad value is a 400 naming the field
// instead of a 500 from the store or a queue timeout behind a scheduler
// that cannot create the service.
const (
	// MaxNameLength bounds the name parameter (characters). The sanitized
	// name is part of the service id, which schedulers use as an app name
	// and the shell scheduler as a folder name (at most 255 bytes).
	MaxNameLength = 128
	// MaxStringParamLength bounds every other string parameter, env and
	// metadata keys (characters); cmd has its own MaxCmdLength and env
	// and metadata values their Waiter limits.
	MaxStringParamLength = 512
	// MaxListEntries bounds allowed-params, as Waiter bounds env and
	// metadata (fewer than 100 entries).
	MaxListEntries = 100
	// MaxInstanceExpiryMins bounds instance-expiry-mins: ten years, far
	// below what a time.Duration holds (292 years).
	MaxInstanceExpiryMins = 10 * 365 * 24 * 60
	// MaxQueueLengthLimit bounds max-queue-length (2^31-1).
	MaxQueueLengthLimit = 1<<31 - 1
	// MaxRestartBackoffFactor bounds restart-backoff-factor: schedulers
	// raise it to the number of failures, and 100^n is already beyond
	// any useful backoff.
	MaxRestartBackoffFactor = 100
	// maxExactInteger is 2^53: beyond it a float64 (every JSON number)
	// no longer holds every integer, so an "integer" there is not one.
	maxExactInteger = 1 << 53

	// MaxTokenNameLength bounds token names (characters): tokens are
	// often named after hostnames, which DNS bounds at 253.
	MaxTokenNameLength = 255
	// MaxTokensPerRequest bounds the names in one x-waiter-token header.
	MaxTokensPerRequest = 16
)

// matchesTokenNamePattern is TokenNamePattern, Waiter's rule for token
// names (validate-token in service_description.clj), checked byte by byte:
// the router checks the name of every proxied request's token, and a
// regular expression per request was 1.6 % of its CPU
// (TestTokenNameRuleMatchesPattern holds the two together).
func matchesTokenNamePattern(name string) bool {
	if len(name) < 2 || !isASCIILetter(name[0]) {
		return false
	}
	for i := 1; i < len(name); i++ {
		c := name[i]
		if !isASCIILetter(c) && !('0' <= c && c <= '9') && c != '-' && c != '_' && c != '$' && c != '.' {
			return false
		}
	}
	return true
}

func isASCIILetter(c byte) bool { return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' }

// TokenNamePattern is the token name rule, for messages.
const TokenNamePattern = `^[a-zA-Z]([a-zA-Z0-9\-_$.])+$`

// ValidTokenName checks a token name against Waiter's pattern and the
// length limit; the error names the field "token".
func ValidTokenName(name string) *FieldError {
	if rule, msg := tokenNameProblem(name); rule != "" {
		return &FieldError{Field: "token", Rule: rule, Message: msg}
	}
	return nil
}

// IsTokenName reports whether ValidTokenName accepts name, without
// building the error it would make: the router checks the token of
// every proxied request, and the Host of every request without one,
// which names no token more often than not (an address, a short name)
// and was answered as missing at the cost of three allocations. The
// pattern admits ASCII only, so a name it matches is valid UTF-8 and its
// length in bytes is its length in characters.
func IsTokenName(name string) bool {
	return len(name) <= MaxTokenNameLength && matchesTokenNamePattern(name)
}

func tokenNameProblem(name string) (string, string) {
	if n := utf8.RuneCountInString(name); n > MaxTokenNameLength {
		return "limit", "must be at most " + strconv.Itoa(MaxTokenNameLength) + " characters (got " + strconv.Itoa(n) + ")"
	}
	if !utf8.ValidString(name) {
		return "encoding", "must be valid UTF-8"
	}
	if !matchesTokenNamePattern(name) {
		return "format", "must match pattern: " + TokenNamePattern + " (got " + strconv.Quote(name) + ")"
	}
	return "", ""
}

// textProblem checks a string value: valid UTF-8 (the store keeps JSON,
// which cannot hold anything else; validateParams checks parameters with
// validUTF8 first, this catches header values that are not parameters)
// and at most limit characters (0: no limit here, the parameter's own
// check has one).
func textProblem(s string, limit int) (string, string) {
	if !utf8.ValidString(s) {
		return "encoding", "must be valid UTF-8 (got " + strconv.QuoteToASCII(truncate(s, 40)) + ")"
	}
	if limit > 0 {
		if n := utf8.RuneCountInString(s); n > limit {
			return "limit", "must be at most " + strconv.Itoa(limit) + " characters (got " + strconv.Itoa(n) + ")"
		}
	}
	return "", ""
}

// textLimit is the length limit checkText applies to a string parameter;
// 0 leaves the length to the parameter's own check.
func textLimit(name string) int {
	switch name {
	case "cmd":
		return 0 // checkCmd: Waiter's MaxCmdLength with its own message
	case "name":
		return MaxNameLength
	}
	return MaxStringParamLength
}

// checkText applies textProblem to every string a parameter value holds:
// the value itself, the keys and values of env and metadata (whose value
// lengths their own checks bound), the entries of allowed-params, whose
// count it also bounds.
func checkText(spec *paramSpec, v any) (string, string) {
	switch t := v.(type) {
	case string:
		return textProblem(t, textLimit(spec.name))
	case map[string]string:
		for _, k := range sortedKeys(t) {
			if rule, msg := textProblem(k, MaxStringParamLength); rule != "" {
				return rule, "key " + msg
			}
			if rule, msg := textProblem(t[k], 0); rule != "" {
				return rule, "value of " + strconv.QuoteToASCII(k) + " " + msg
			}
		}
	case []string:
		if len(t) >= MaxListEntries {
			return "size", "must have fewer than " + strconv.Itoa(MaxListEntries) + " entries (got " + strconv.Itoa(len(t)) + ")"
		}
		for _, s := range t {
			if rule, msg := textProblem(s, MaxStringParamLength); rule != "" {
				return rule, "entry " + msg
			}
		}
	}
	return "", ""
}

// truncate shortens s to at most n bytes for a message.
func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "..."
}
