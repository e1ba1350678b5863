package fallback

import (
	"fmt"
	"testing"
	"time"

	"github.com/cockroachdb/datadriven"
)

// TestTraces runs testdata/*.txt: a token edit and the services' states
// evolve, and each request prints where it goes. Regenerate with
// `go test ./engine/fallback/ -rewrite`.
//
//	edit at=10s history=(v1,-,v0)  the token is edited: its earlier
//	                               versions give these services ("-": none)
//	period 5m                      the fallback period in effect
//	healthy v1 [no]                a service has (or has no) healthy instance
//	request latest=v2 at=30s       where a request for the newest service goes
func TestTraces(t *testing.T) {
	datadriven.Walk(t, "testdata", func(t *testing.T, path string) {
		var edited time.Time
		var period time.Duration
		var history []Version
		healthy := map[string]bool{}
		epoch := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
		at := func(d *datadriven.TestData) time.Time {
			var s string
			d.ScanArgs(t, "at", &s)
			off, err := time.ParseDuration(s)
			if err != nil {
				d.Fatalf(t, "at: %v", err)
			}
			return epoch.Add(off)
		}
		datadriven.RunTest(t, path, func(t *testing.T, d *datadriven.TestData) string {
			switch d.Cmd {
			case "edit":
				edited = at(d)
				history = nil
				for _, a := range d.CmdArgs {
					if a.Key != "history" {
						continue
					}
					for _, v := range a.Vals {
						if v == "-" {
							v = ""
						}
						history = append(history, Version{ServiceID: v})
					}
				}
				return ""
			case "period":
				var err error
				if period, err = time.ParseDuration(d.CmdArgs[0].Key); err != nil {
					d.Fatalf(t, "period: %v", err)
				}
				return ""
			case "healthy":
				healthy[d.CmdArgs[0].Key] = !d.HasArg("no")
				return ""
			case "request":
				var latest string
				d.ScanArgs(t, "latest", &latest)
				if !Applies(at(d), edited, period, func() bool { return healthy[latest] }) {
					return "wait for " + latest + " (no fallback applies)\n"
				}
				if id, ok := Choose(latest, history, healthy); ok {
					return fmt.Sprintf("serve %s; start %s\n", id, latest)
				}
				return "wait for " + latest + " (no earlier version is healthy)\n"
			}
			d.Fatalf(t, "unknown command %q", d.Cmd)
			return ""
		})
	})
}
