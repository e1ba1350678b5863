package freeport

import (
	"net"
	"strconv"
	"testing"
)

// The ports are distinct, free (each binds), and outside the kernel's
// ephemeral range when the machine has a band beside it.
func TestTCPPortsAreFreeDistinctAndOutsideTheEphemeralRange(t *testing.T) {
	ports, err := TCP(20)
	if err != nil {
		t.Fatal(err)
	}
	lo, hi := band()
	seen := map[int]bool{}
	for _, p := range ports {
		if seen[p] {
			t.Fatalf("port %d twice in %v", p, ports)
		}
		seen[p] = true
		if hi > lo && (p < lo || p >= hi) {
			t.Fatalf("port %d outside [%d, %d)", p, lo, hi)
		}
		l, err := net.Listen("tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(p)))
		if err != nil {
			t.Fatalf("port %d is not free: %v", p, err)
		}
		_ = l.Close()
	}
}

// A port held by someone is never returned.
func TestTakenPortsAreSkipped(t *testing.T) {
	lo, hi := band()
	if hi <= lo {
		t.Skip("no band beside this machine's ephemeral range")
	}
	// Hold a stretch of the band; drawing many ports must avoid all of it.
	var held []net.Listener
	taken := map[int]bool{}
	for p := lo; p < lo+200; p++ {
		l, err := net.Listen("tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(p)))
		if err != nil {
			continue
		}
		held = append(held, l)
		taken[p] = true
	}
	defer func() {
		for _, l := range held {
			_ = l.Close()
		}
	}()
	for range 20 {
		ports, err := TCP(10)
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range ports {
			if taken[p] {
				t.Fatalf("port %d is held, and was returned", p)
			}
		}
	}
}

func TestTCPAndUDP(t *testing.T) {
	p, err := TCPAndUDP()
	if err != nil {
		t.Fatal(err)
	}
	u, err := net.ListenPacket("udp", net.JoinHostPort("127.0.0.1", strconv.Itoa(p)))
	if err != nil {
		t.Fatalf("UDP port %d is not free: %v", p, err)
	}
	_ = u.Close()
}

func TestParseRange(t *testing.T) {
	if lo, hi, err := parseRange("32768\t60999\n"); err != nil || lo != 32768 || hi != 60999 {
		t.Fatalf("got %d-%d, %v", lo, hi, err)
	}
	for _, bad := range []string{"", "32768", "a\tb", "1 x", "1 2 3", "60999 32768"} {
		if _, _, err := parseRange(bad); err == nil {
			t.Errorf("%q parsed", bad)
		}
	}
}
