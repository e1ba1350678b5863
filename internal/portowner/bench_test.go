package portowner

import (
	"net"
	"net/http"
	"net/http/httptest"
	"syscall"
	"testing"
	"time"
)

// BenchmarkPortCheck prices the shell scheduler's authenticity check
// against what it guards: one health probe (a fresh loopback connection
// and GET, as internal/healthcheck sends it), measured in the same loop.
// Each iteration runs one probe and one step; the step's cost is
// reported as ns/step and as x-probe, its cost in probes. The
// listeners are read (sock_diag; the /proc tables where it is missing)
// before each probe of an instance that is not yet healthy; the group
// search runs once per new socket; Holders only names a stray. Every
// probe leaves a TIME_WAIT socket behind, so the proc tables grow as the
// benchmark runs, as they do on a router under load.
func BenchmarkPortCheck(b *testing.B) {
	srv := httptest.NewServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {}))
	defer srv.Close()
	port := srv.Listener.Addr().(*net.TCPAddr).Port
	client := &http.Client{Transport: &http.Transport{DisableKeepAlives: true}}
	ls, err := LoopbackListeners(port)
	if err != nil || len(ls) != 1 {
		b.Fatalf("listeners: %v %v", ls, err)
	}
	inode, pgid := ls[0].Inode, syscall.Getpgrp()
	for _, c := range []struct {
		name string
		step func(b *testing.B)
	}{
		{"sock_diag", func(b *testing.B) {
			if _, err := listenersDiag(); err != nil {
				b.Fatal(err)
			}
		}},
		{"proc tables", func(b *testing.B) {
			if _, err := listenersProc(); err != nil {
				b.Fatal(err)
			}
		}},
		{"group search", func(b *testing.B) {
			if held, err := GroupHolds(pgid, inode); err != nil || !held {
				b.Fatal(held, err)
			}
		}},
		{"holders", func(b *testing.B) { Holders(inode) }},
	} {
		b.Run(c.name, func(b *testing.B) {
			var probing, stepping time.Duration
			for b.Loop() {
				t0 := time.Now()
				resp, err := client.Get(srv.URL + "/status")
				if err != nil {
					b.Fatal(err)
				}
				_ = resp.Body.Close()
				t1 := time.Now()
				c.step(b)
				probing += t1.Sub(t0)
				stepping += time.Since(t1)
			}
			n := float64(b.N)
			b.ReportMetric(float64(probing.Nanoseconds())/n, "ns/probe")
			b.ReportMetric(float64(stepping.Nanoseconds())/n, "ns/step")
			b.ReportMetric(float64(stepping)/float64(probing), "x-probe")
		})
	}
}
