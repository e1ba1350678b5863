package waiterhttp

import (
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"

	"github.com/waiter-go/waiter"
	"github.com/waiter-go/waiter/engine"
)

// appFilter builds the /apps filter from query parameters: run-as-user,
// token, token-version, and any service parameter (env.X and metadata.x
// reach into maps). A value containing * is a glob over the whole value;
// otherwise it matches as a substring. run-as-user=* keeps everything.
func appFilter(q map[string][]string) (func(waiter.ServiceSnapshot, []tokenRef) bool, *Error) {
	type cond struct {
		key  string
		test func(string) bool
	}
	var conds []cond
	for key, values := range q {
		switch {
		case key == "include" || key == "star-mode" || key == "effective-parameters" || key == "force":
			// Not filters: what to show, and Waiter's "waiter user
			// disabled" switch (force=false), which its clients send.
			continue
		case key == "token" || key == "token-version" || key == "run-as-user" || isParamFilter(key):
		default:
			return nil, badRequest("Unsupported filter parameter: " + key)
		}
		for _, v := range values {
			test, err := valueMatcher(v)
			if err != nil {
				return nil, &Error{Status: http.StatusBadRequest, Message: "Invalid filter value for " + key, Cause: err}
			}
			conds = append(conds, cond{key: key, test: test})
		}
	}
	return func(snap waiter.ServiceSnapshot, refs []tokenRef) bool {
		for _, c := range conds {
			switch c.key {
			case "token", "token-version":
				if !anyRef(refs, c.key == "token", c.test) {
					return false
				}
			default:
				if !c.test(paramValue(snap, c.key)) {
					return false
				}
			}
		}
		return true
	}, nil
}

func isParamFilter(key string) bool {
	if name, _, ok := strings.Cut(key, "."); ok {
		return name == "env" || name == "metadata"
	}
	return engine.IsServiceParam(key)
}

func anyRef(refs []tokenRef, byName bool, test func(string) bool) bool {
	for _, ref := range refs {
		v := ref.Version
		if byName {
			v = ref.Token
		}
		if test(v) {
			return true
		}
	}
	return false
}

// paramValue renders a service's effective parameter (or env./metadata.
// entry) as a string for filtering.
func paramValue(snap waiter.ServiceSnapshot, key string) string {
	if snap.Description == nil {
		return ""
	}
	eff := snap.Description.Effective()
	if name, sub, ok := strings.Cut(key, "."); ok {
		m, _ := eff[name].(map[string]string)
		return m[sub]
	}
	switch v := eff[key].(type) {
	case nil:
		return ""
	case string:
		return v
	case float64:
		return strconv.FormatFloat(v, 'g', -1, 64)
	default:
		return fmt.Sprint(v)
	}
}

func valueMatcher(v string) (func(string) bool, error) {
	if v == "*" {
		return func(string) bool { return true }, nil
	}
	if !strings.Contains(v, "*") {
		return func(s string) bool { return strings.Contains(s, v) }, nil
	}
	parts := strings.Split(v, "*")
	for i, p := range parts {
		parts[i] = regexp.QuoteMeta(p)
	}
	re, err := regexp.Compile("^" + strings.Join(parts, ".*") + "$")
	if err != nil {
		return nil, fmt.Errorf("glob %q: %w", v, err)
	}
	return re.MatchString, nil
}

func includes(values []string) map[string]bool {
	m := map[string]bool{}
	for _, v := range values {
		for _, part := range strings.Split(v, ",") {
			if part = strings.TrimSpace(part); part != "" {
				m[part] = true
			}
		}
	}
	return m
}

// appIncludes reads what /apps and /apps/{id} add on request: the include
// list, and effective-parameters=true, Waiter's older spelling.
func appIncludes(q url.Values) map[string]bool {
	m := includes(q["include"])
	if q.Get("effective-parameters") == "true" {
		m["effective-parameters"] = true
	}
	return m
}
