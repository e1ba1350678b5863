package engine

import (
	"encoding/json"
	"sort"
	"strconv"
	"strings"
	"time"
)

// HeaderPrefix starts every Waiter header.
const HeaderPrefix = "x-waiter-"

// stringHeaderParams are kept as strings; every other x-waiter-<param>
// value is JSON-parsed first (parse-header-value in headers.clj).
var stringHeaderParams = map[string]bool{
	"allowed-params": true, "authentication": true, "backend-proto": true, "cmd": true,
	"cmd-type": true, "distribution-scheme": true, "endpoint-path": true,
	"health-check-authentication": true, "health-check-proto": true, "health-check-url": true,
	"image": true, "load-balancing": true, "metric-group": true, "name": true, "namespace": true,
	"permitted-user": true, "profile": true, "run-as-user": true, "token": true, "version": true,
	"scaling-policy": true,
}

// unsupportedHeaders are refused with 400 (:instance-request-properties
// :unsupported-headers).
var unsupportedHeaders = map[string]bool{"x-waiter-maintenance": true}

// RequestParams are request-level settings that never become part of a
// service (reference 2.3). Zero durations mean "not given".
type RequestParams struct {
	QueueTimeout        time.Duration
	SocketTimeout       time.Duration
	StreamingTimeout    time.Duration
	AsyncCheckInterval  time.Duration
	AsyncRequestTimeout time.Duration
	// FallbackPeriodSecs is -1 when not given.
	FallbackPeriodSecs int
}

// HeaderParams is what a request's x-waiter-* headers say.
type HeaderParams struct {
	// Service holds on-the-fly service parameters (x-waiter-<param>,
	// x-waiter-env-*, x-waiter-metadata-*).
	Service Params
	// Tokens lists x-waiter-token names in order.
	Tokens []string
	// ParamEnv holds x-waiter-param-* values keyed by env variable name.
	ParamEnv map[string]string
	Request  RequestParams
	// Debug is set by x-waiter-debug (any value).
	Debug bool
	// Order is the insertion order of the env, metadata and param maps in
	// Waiter's parse of these headers (headerKeyOrder); nil when unknown.
	Order KeyOrder
	// Ignored lists x-waiter-* headers that name nothing Waiter knows;
	// Waiter drops them (sanitize-service-description).
	Ignored []string
}

// OnTheFly reports whether the request describes a service in headers.
func (h *HeaderParams) OnTheFly() bool { return len(h.Service) > 0 }

// maxRequestTimeout caps request-level timeouts (du/one-hour-in-millis);
// an async request may be followed for longer
// (async-request-max-timeout-ms, four hours).
const (
	maxRequestTimeout      = time.Hour
	maxAsyncRequestTimeout = 4 * time.Hour
)

// ParseHeaders reads x-waiter-* headers. Keys may use any case (net/http
// canonicalizes them). Every malformed header is reported at once in a
// *ValidationError.
func ParseHeaders(h map[string][]string) (HeaderParams, error) { return ParseWireHeaders(h, nil) }

// ParseWireHeaders is ParseHeaders knowing the request's x-waiter-* header
// names as the client sent them, in the order sent (raw; nil when not
// known), which Waiter's env and metadata order depends on for requests of
// few headers (headerKeyOrder).
func ParseWireHeaders(h map[string][]string, raw []string) (HeaderParams, error) {
	out := HeaderParams{Service: Params{}, Request: RequestParams{FallbackPeriodSecs: -1}}
	var errs []FieldError
	bad := func(header, rule, msg string) {
		errs = append(errs, FieldError{Field: header, Rule: rule, Message: msg})
	}
	keys := make([]string, 0, len(h))
	for k := range h {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, rawKey := range keys {
		key := strings.ToLower(rawKey)
		if !strings.HasPrefix(key, HeaderPrefix) || len(h[rawKey]) == 0 {
			continue
		}
		// A header sent more than once is one value joined by commas, as
		// jet's get-headers gives it to Waiter.
		value := h[rawKey][0]
		if len(h[rawKey]) > 1 {
			value = strings.Join(h[rawKey], ",")
		}
		name := strings.TrimPrefix(key, HeaderPrefix)
		if unsupportedHeaders[key] {
			bad(key, "unsupported", "header "+key+" is not supported")
			continue
		}
		switch {
		case name == "debug":
			out.Debug = true
		case name == "token":
			out.Tokens = splitTokens(value)
			if rule, msg := tokenListProblem(out.Tokens); rule != "" {
				bad(key, rule, msg)
			}
		case strings.HasPrefix(name, "env-"):
			env := strings.ToUpper(strings.TrimPrefix(name, "env-"))
			m, _ := out.Service["env"].(map[string]string)
			if m == nil {
				m = map[string]string{}
				out.Service["env"] = m
			}
			m[env] = value
		case strings.HasPrefix(name, "metadata-"):
			m, _ := out.Service["metadata"].(map[string]string)
			if m == nil {
				m = map[string]string{}
				out.Service["metadata"] = m
			}
			m[strings.TrimPrefix(name, "metadata-")] = value
		case strings.HasPrefix(name, "param-"):
			if out.ParamEnv == nil {
				out.ParamEnv = map[string]string{}
			}
			if rule, msg := textProblem(value, 0); rule != "" {
				bad(key, rule, msg)
				continue
			}
			out.ParamEnv[strings.ToUpper(strings.TrimPrefix(name, "param-"))] = value
		case name == "queue-timeout", name == "timeout", name == "streaming-timeout",
			name == "async-check-interval", name == "async-request-timeout":
			limit := maxRequestTimeout
			if name == "async-request-timeout" {
				limit = maxAsyncRequestTimeout
			}
			d, msg := parseTimeoutHeader(value, limit)
			if msg != "" {
				bad(key, "range", msg)
				continue
			}
			switch name {
			case "queue-timeout":
				out.Request.QueueTimeout = d
			case "timeout":
				out.Request.SocketTimeout = d
			case "streaming-timeout":
				out.Request.StreamingTimeout = d
			case "async-check-interval":
				out.Request.AsyncCheckInterval = d
			default:
				out.Request.AsyncRequestTimeout = d
			}
		case name == "fallback-period-secs":
			n, err := strconv.Atoi(strings.TrimSpace(value))
			if err != nil || n < 0 || n > 86400 {
				bad(key, "range", "must be an integer between 0 and 86400 (got "+strconv.Quote(value)+")")
				continue
			}
			out.Request.FallbackPeriodSecs = n
		case IsServiceParam(name):
			out.Service[name] = parseHeaderValue(name, value)
		default:
			out.Ignored = append(out.Ignored, key)
		}
	}
	if len(errs) > 0 {
		return out, &ValidationError{Summary: "Invalid x-waiter headers", Fields: errs}
	}
	if out.Service["env"] != nil || out.Service["metadata"] != nil || out.ParamEnv != nil {
		out.Order = headerMapOrders(headerKeyOrder(h, raw))
	}
	return out, nil
}

// parseHeaderValue JSON-parses a header value unless the parameter is a
// string parameter; a value that is not JSON stays a string, so that
// validation can say "must be a number (got string ...)".
func parseHeaderValue(name, value string) any {
	if stringHeaderParams[name] {
		return value
	}
	// Most values are plain numbers or booleans: skip the JSON decoder
	// for those (it dominated header parsing on the proxy path).
	if f, ok := plainNumber(value); ok {
		return f
	}
	switch value {
	case "true":
		return true
	case "false":
		return false
	}
	var v any
	if err := json.Unmarshal([]byte(value), &v); err != nil {
		return value
	}
	return NormalizeValue(v)
}

func parseTimeoutHeader(value string, limit time.Duration) (time.Duration, string) {
	n, err := strconv.ParseInt(strings.TrimSpace(value), 10, 64)
	if err != nil || n <= 0 {
		return 0, "must be a positive integer of milliseconds (got " + strconv.QuoteToASCII(truncate(value, 40)) + ")"
	}
	// Cap before converting: n milliseconds overflow a time.Duration
	// (nanoseconds) from about 9.2e12 on, and would turn negative.
	if n > limit.Milliseconds() {
		return limit, ""
	}
	return time.Duration(n) * time.Millisecond, ""
}

// tokenListProblem checks the names of an x-waiter-token header before
// any store is asked about them.
func tokenListProblem(names []string) (string, string) {
	if len(names) > MaxTokensPerRequest {
		return "limit", "must name at most " + strconv.Itoa(MaxTokensPerRequest) + " tokens (got " + strconv.Itoa(len(names)) + ")"
	}
	// Only what keeps the lookup bounded and the name storable: a name
	// with other characters is simply not found (404, as in Waiter).
	for _, n := range names {
		if rule, msg := textProblem(n, MaxTokenNameLength); rule != "" {
			return rule, "token name " + msg
		}
	}
	return "", ""
}

func splitTokens(value string) []string {
	var out []string
	for _, t := range strings.Split(value, ",") {
		if t = strings.TrimSpace(t); t != "" {
			out = append(out, t)
		}
	}
	return out
}

// plainNumber parses a JSON number made of an optional minus, digits and
// an optional fraction (no exponent, no leading zeros beyond "0"); other
// shapes return false and go through the JSON decoder.
func plainNumber(s string) (float64, bool) {
	i := 0
	if i < len(s) && s[i] == '-' {
		i++
	}
	start := i
	for i < len(s) && s[i] >= '0' && s[i] <= '9' {
		i++
	}
	digits := i - start
	if digits == 0 || (digits > 1 && s[start] == '0') {
		return 0, false
	}
	if i < len(s) && s[i] == '.' {
		i++
		frac := i
		for i < len(s) && s[i] >= '0' && s[i] <= '9' {
			i++
		}
		if i == frac {
			return 0, false
		}
	}
	if i != len(s) {
		return 0, false
	}
	f, err := strconv.ParseFloat(s, 64)
	return f, err == nil
}

// Own returns a copy of h that shares no string with the request it was
// parsed from, for what keeps a parse past its request: the router's
// event loops cut a request's strings from chunks shared by many
// requests, and a kept string would keep its whole chunk alive.
func (h HeaderParams) Own() HeaderParams {
	out := h
	out.Service = h.Service.own()
	out.Tokens = ownList(h.Tokens)
	out.ParamEnv = ownMap(h.ParamEnv)
	out.Ignored = ownList(h.Ignored)
	if h.Order != nil {
		out.Order = make(KeyOrder, len(h.Order))
		for k, keys := range h.Order {
			out.Order[strings.Clone(k)] = ownList(keys)
		}
	}
	return out
}

// own is Clone with every string copied too (HeaderParams.Own).
func (p Params) own() Params {
	if p == nil {
		return nil
	}
	out := make(Params, len(p))
	for k, v := range p {
		switch t := v.(type) {
		case string:
			v = strings.Clone(t)
		case map[string]string:
			v = ownMap(t)
		case []string:
			v = ownList(t)
		}
		out[strings.Clone(k)] = v
	}
	return out
}

func ownList(l []string) []string {
	if l == nil {
		return nil
	}
	out := make([]string, len(l)) // empty stays empty, not nil (cloneValue)
	for i, s := range l {
		out[i] = strings.Clone(s)
	}
	return out
}

func ownMap(m map[string]string) map[string]string {
	if m == nil {
		return nil
	}
	out := make(map[string]string, len(m))
	for k, s := range m {
		out[strings.Clone(k)] = strings.Clone(s)
	}
	return out
}
