package syncer

import (
	"strconv"
	"strings"
	"time"

	"github.com/waiter-go/waiter/engine"
)

// Describe renders actions one a line, for text traces (testdata/*.txt):
// engine actions as engine.DescribeAction does, scheduler calls prefixed
// with their number ("call 2: kill-instance ..."), and polls as
// "poll-at at=+200ms"; times are offsets from origin.
func Describe(acts []Action, origin time.Time) string {
	var b strings.Builder
	for _, a := range acts {
		switch a.Kind {
		case ActPollAt:
			b.WriteString("poll-at at=" + engine.Offset(a.At, origin))
		default:
			if a.Call != 0 {
				b.WriteString("call " + strconv.FormatUint(a.Call, 10) + ": ")
			}
			b.WriteString(engine.DescribeAction(a.Engine, origin))
		}
		b.WriteByte('\n')
	}
	return b.String()
}
