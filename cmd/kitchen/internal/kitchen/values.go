package kitchen

// Parsers for single header and query values. Each error wraps errBadInput
// and names the header or parameter, so the 400 says what to fix.

import (
	"fmt"
	"maps"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"
)

// parseCookies reads "a=b,c=d" into name/value pairs sorted by name, a
// repeated name keeping its last value, as in the original. A pair without
// "=" gets an empty value (the original crashed on it).
func parseCookies(v string) [][2]string {
	byName := map[string]string{}
	for _, item := range strings.Split(v, ",") {
		name, value, _ := strings.Cut(item, "=")
		byName[name] = value
	}
	out := make([][2]string, 0, len(byName))
	for _, name := range slices.Sorted(maps.Keys(byName)) {
		out = append(out, [2]string{name, byName[name]})
	}
	return out
}

// parseStatus accepts the final status codes net/http can send (200-999).
// 1xx codes are refused because net/http treats them as interim responses
// and would follow them with a 200.
func parseStatus(what, v string) (int, error) {
	code, err := strconv.Atoi(v)
	if err != nil {
		return 0, fmt.Errorf("%w: %s %q: not an integer", errBadInput, what, v)
	}
	if code < 200 || code > 999 {
		return 0, fmt.Errorf("%w: %s %d: must be a final status code between 200 and 999", errBadInput, what, code)
	}
	return code, nil
}

// headerParser reads integer headers and names the header in its errors.
type headerParser struct{ h http.Header }

func (p headerParser) present(name string) bool {
	_, ok := p.h[http.CanonicalHeaderKey(name)]
	return ok
}

// count reads a non-negative integer; an absent or empty header is "not set".
func (p headerParser) count(name string) (int64, bool, error) {
	v := p.h.Get(name)
	if v == "" {
		return 0, false, nil
	}
	n, err := strconv.ParseInt(strings.TrimSpace(v), 10, 64)
	if err != nil {
		return 0, false, fmt.Errorf("%w: %s %q: not an integer", errBadInput, name, v)
	}
	if n < 0 {
		return 0, false, fmt.Errorf("%w: %s %d: must not be negative", errBadInput, name, n)
	}
	return n, true, nil
}

// millis reads a non-negative number of milliseconds.
func (p headerParser) millis(name string) (time.Duration, bool, error) {
	n, ok, err := p.count(name)
	return time.Duration(n) * time.Millisecond, ok, err
}

// dieAfter reads x-kitchen-die-after-ms, where a negative value means "do
// not die", as in the original.
func (p headerParser) dieAfter() (time.Duration, bool, error) {
	const name = "x-kitchen-die-after-ms"
	v := p.h.Get(name)
	if v == "" {
		return 0, false, nil
	}
	n, err := strconv.ParseInt(strings.TrimSpace(v), 10, 64)
	if err != nil {
		return 0, false, fmt.Errorf("%w: %s %q: not an integer", errBadInput, name, v)
	}
	if n < 0 {
		return 0, false, nil
	}
	return time.Duration(n) * time.Millisecond, true, nil
}
