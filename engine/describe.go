package engine

import (
	"fmt"
	"strings"
	"time"
)

// Describe renders actions one a line, for text traces of the engine and
// of the drivers' rules (testdata/*.txt): times are shown as offsets from
// origin, and only the fields that count for each kind appear.
func Describe(acts []Action, origin time.Time) string {
	var b strings.Builder
	for _, a := range acts {
		b.WriteString(DescribeAction(a, origin))
		b.WriteByte('\n')
	}
	return b.String()
}

// DescribeAction renders one action as Describe does, without a newline.
func DescribeAction(a Action, origin time.Time) string {
	var b strings.Builder
	b.WriteString(a.Kind.String())
	field := func(k string, v any) { fmt.Fprintf(&b, " %s=%v", k, v) }
	switch a.Kind {
	case ActDispatch:
		field("svc", a.Service)
		field("req", uint64(a.Request))
		field("inst", a.Instance)
	case ActReject:
		field("svc", a.Service)
		field("req", uint64(a.Request))
		if a.Err != nil {
			field("reason", a.Err.Reason)
		}
	case ActCreateService, ActScaleService:
		field("svc", a.Service)
		field("n", a.Instances)
	case ActKillInstance:
		field("svc", a.Service)
		field("inst", a.Instance)
	case ActDeleteService:
		field("svc", a.Service)
	case ActWakeAt:
		field("at", Offset(a.At, origin))
	}
	if a.Force {
		b.WriteString(" force")
	}
	if a.Replace {
		b.WriteString(" replace")
	}
	return b.String()
}

// Offset renders t as "+1.5s" from origin ("+0s" at origin).
func Offset(t, origin time.Time) string {
	d := t.Sub(origin)
	if d < 0 {
		return "-" + (-d).String()
	}
	return "+" + d.String()
}
