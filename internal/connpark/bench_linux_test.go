//go:build linux

package connpark

import (
	"net"
	"syscall"
	"testing"
	"time"
)

// BenchmarkParkAndWake is what a parked connection's next request costs
// the server over one whose goroutine waits for it: one round trip of a
// byte (the client writes, the server reads it and answers) on a
// connection parked before each round, against the same round trip with
// the server's goroutine blocked in Read, measured in the same run. It
// reports the extra microseconds per round (park-us) and the ratio.
func BenchmarkParkAndWake(b *testing.B) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	defer ln.Close()
	client, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		b.Fatal(err)
	}
	defer client.Close()
	server, err := ln.Accept()
	if err != nil {
		b.Fatal(err)
	}
	defer server.Close()
	woken := make(chan net.Conn, 1)
	l, err := New(func(c net.Conn) { woken <- c }, func(c net.Conn) {})
	if err != nil {
		b.Fatal(err)
	}
	defer l.Close()

	buf := make([]byte, 1)
	ready := make(chan struct{})
	// round: the server side waits (parked, or in Read), then the client
	// sends a byte and reads the answer. Both kinds signal ready before
	// the client writes, so that each round measures the wait's wake-up.
	round := func(park bool) {
		served := make(chan struct{})
		go func() {
			defer close(served)
			if park {
				if err := l.Park(server, server.(syscall.Conn), time.Now().Add(time.Minute)); err != nil {
					b.Error(err)
					return
				}
				ready <- struct{}{}
				<-woken
			} else {
				ready <- struct{}{}
			}
			if _, err := server.Read(buf); err != nil {
				b.Error(err)
				return
			}
			_, _ = server.Write(buf)
		}()
		<-ready
		if _, err := client.Write([]byte{'x'}); err != nil {
			b.Fatal(err)
		}
		if _, err := client.Read(make([]byte, 1)); err != nil {
			b.Fatal(err)
		}
		<-served
	}
	timeRounds := func(park bool, n int) time.Duration {
		start := time.Now()
		for range n {
			round(park)
		}
		return time.Since(start) / time.Duration(n)
	}
	b.ResetTimer()
	var parked, waiting time.Duration
	for i := 0; i < b.N; i++ {
		waiting += timeRounds(false, 1)
		parked += timeRounds(true, 1)
	}
	b.ReportMetric(float64(parked-waiting)/float64(b.N)/1e3, "park-us")
	b.ReportMetric(float64(parked)/float64(waiting), "x-waiting")
}
