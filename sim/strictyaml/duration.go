package strictyaml

import (
	"strconv"
	"time"
)

// ParseDuration reads n as a duration with a unit, in Go's syntax: 200ms,
// 5s, 1m30s, 24h. A bare number is refused with the spelling to use
// instead, except 0, which means the same in every unit.
func ParseDuration(n Node) (time.Duration, error) {
	s, err := scalar(n, "a duration such as 5s")
	if err != nil {
		return 0, err
	}
	if f, err := strconv.ParseFloat(s, 64); err == nil {
		if f == 0 {
			return 0, nil
		}
		return 0, n.Errorf("%s", unitHint(s))
	}
	d, err := time.ParseDuration(s)
	if err != nil {
		return 0, n.Errorf("want a duration such as 200ms, 5s or 1h30m, got %q", s)
	}
	return d, nil
}
