package engine

import (
	"sort"
	"strings"
)

// tokenOnlyKeys are token parameters that are not part of a service
// description (user-metadata-keys, reference 2.2).
var tokenOnlyKeys = map[string]bool{
	"owner": true, "editor": true, "cors-rules": true, "fallback-period-secs": true,
	"https-redirect": true, "maintenance": true, "service-mapping": true,
	"stale-timeout-mins": true, "queue-timeout-ms": true, "socket-timeout-ms": true,
	"streaming-timeout-ms": true,
}

// systemTokenKeys are maintained by Waiter and refused when a user sends them.
var systemTokenKeys = map[string]bool{
	"cluster": true, "deleted": true, "last-update-time": true, "last-update-user": true,
	"previous": true, "root": true,
}

// IsTokenOnlyKey reports whether key is token metadata rather than a service parameter.
func IsTokenOnlyKey(key string) bool { return tokenOnlyKeys[key] }

// IsSystemTokenKey reports whether key is maintained by Waiter itself.
func IsSystemTokenKey(key string) bool { return systemTokenKeys[key] }

// SplitTokenData separates a token's data into service parameters, token
// metadata and keys that are neither (which Waiter refuses with
// "Unsupported key(s) in token").
func SplitTokenData(data map[string]any) (service Params, meta Params, unknown []string) {
	service, meta = Params{}, Params{}
	for k, v := range data {
		switch {
		case IsServiceParam(k):
			service[k] = NormalizeValue(v)
		case tokenOnlyKeys[k] || systemTokenKeys[k]:
			meta[k] = v
		default:
			unknown = append(unknown, k)
		}
	}
	sort.Strings(unknown)
	return service, meta, unknown
}

// Source is everything a proxied request uses to name its service.
type Source struct {
	Headers HeaderParams
	// Tokens are the service parameters of the resolved tokens, in the order
	// the request named them; later tokens win.
	Tokens []Params
	// TokenOrders, parallel to Tokens (or shorter, or nil), holds each
	// token's env and metadata key order (JSONKeyOrder); missing orders
	// mean sorted keys.
	TokenOrders []KeyOrder
	// Requester is the authenticated user making the request.
	Requester string
}

// ComputeCore merges a request's sources into the core (user-provided)
// service parameters: x-waiter-param-* env > on-the-fly headers > tokens
// (left to right). It applies Waiter's on-the-fly rules and reports every
// violation at once.
func ComputeCore(src Source) (Params, error) {
	core, _, err := computeCore(src)
	return core, err
}

// computeCore is ComputeCore that also returns the key order of the
// merged env and metadata (KeyOrder says how Waiter's merges order them).
func computeCore(src Source) (Params, KeyOrder, error) {
	h := src.Headers
	if !h.OnTheFly() && len(src.Tokens) == 0 {
		return nil, nil, &ValidationError{Summary: MsgCannotIdentify}
	}
	var errs []FieldError
	core := Params{}
	order := KeyOrder{}
	for i, tok := range src.Tokens {
		tok = NormalizeParams(tok)
		var tokOrder KeyOrder
		if i < len(src.TokenOrders) {
			tokOrder = src.TokenOrders[i]
		}
		for _, k := range []string{"env", "metadata"} {
			// merge-parameters: deep merge only onto a non-empty map.
			over, ok := tok[k].(map[string]string)
			if !ok {
				if _, given := tok[k]; given {
					order[k] = nil
				}
				continue
			}
			if base, _ := core[k].(map[string]string); len(base) > 0 {
				order[k] = mergedKeys(orderedKeys(base, order[k]), orderedKeys(over, tokOrder[k]))
			} else {
				order[k] = tokOrder[k]
			}
		}
		core = deepMerge(core, tok)
	}
	if v, ok := h.Service["idle-timeout-mins"].(float64); ok && v == 0 {
		errs = append(errs, FieldError{Field: "idle-timeout-mins", Rule: "on-the-fly",
			Message: "idle-timeout-mins of 0 is not allowed in an x-waiter header; set it in a token"})
	}
	// Headers override the tokens with a plain merge
	// (compute-service-description): a header env or metadata replaces the
	// token's whole map, unlike the deep merge between tokens.
	for k, v := range h.Service {
		core[k] = cloneValue(v)
		if k == "env" || k == "metadata" {
			order[k] = h.Order[k]
		}
	}

	if h.OnTheFly() {
		if _, ok := core["run-as-user"]; !ok && src.Requester != "" {
			core["run-as-user"] = src.Requester
		}
		if _, ok := core["permitted-user"]; !ok && src.Requester != "" {
			core["permitted-user"] = src.Requester
		}
	}
	if core["run-as-user"] == "*" && src.Requester != "" {
		core["run-as-user"] = src.Requester
	}
	if core["namespace"] == "*" && src.Requester != "" {
		core["namespace"] = src.Requester
	}

	if len(h.ParamEnv) > 0 {
		allowed := map[string]bool{}
		switch a := core["allowed-params"].(type) {
		case []string:
			for _, k := range a {
				allowed[k] = true
			}
		case string:
			for _, k := range splitList(a) {
				allowed[k] = true
			}
		}
		var refused []string
		env := map[string]string{}
		if m, ok := core["env"].(map[string]string); ok {
			for k, v := range m {
				env[k] = v
			}
		}
		envOrder := orderedKeys(env, order["env"])
		for k, v := range h.ParamEnv {
			if !allowed[k] {
				refused = append(refused, k)
				continue
			}
			env[k] = v
		}
		// (update "env" merge header-params): env's keys, then new params.
		order["env"] = mergedKeys(envOrder, orderedKeys(h.ParamEnv, h.Order["param"]))
		if len(refused) > 0 {
			sort.Strings(refused)
			errs = append(errs, FieldError{Field: "allowed-params", Rule: "param",
				Message: "Some params cannot be configured: " + strings.Join(refused, ", ")})
		} else {
			core["env"] = env
		}
	}
	if len(errs) > 0 {
		return nil, nil, &ValidationError{Summary: MsgInvalidDescription, Fields: errs}
	}
	return core, order, nil
}

// ResolveDescription is ComputeCore followed by NewDescription.
func ResolveDescription(src Source, opts DescriptionOptions) (*Description, error) {
	core, order, err := computeCore(src)
	if err != nil {
		return nil, err
	}
	d, err := NewDescription(core, opts)
	if err != nil {
		return nil, err
	}
	d.KeyOrder = order
	d.ID = ServiceIDInOrder(opts.ServicePrefix, d.Core, order)
	return d, nil
}
