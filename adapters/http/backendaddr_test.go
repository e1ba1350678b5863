package waiterhttp

import (
	"net"
	"strconv"
	"testing"
)

// The cache answers what net.JoinHostPort does, for addresses that share
// a slot, IPv6 hosts and a host that moves to another instance's port.
func TestBackendAddrs(t *testing.T) {
	var b backendAddrs
	cases := []struct {
		host string
		port int
	}{
		{"10.0.0.1", 31000}, {"10.0.0.1", 31000 + 256}, {"10.0.0.2", 31000}, {"::1", 8080}, {"10.0.0.1", 31000},
		{"host.example", 0}, {"::1", 8080},
	}
	for _, c := range cases {
		want := net.JoinHostPort(c.host, strconv.Itoa(c.port))
		if got := b.get(c.host, c.port); got != want {
			t.Errorf("get(%q, %d) = %q, want %q", c.host, c.port, got, want)
		}
	}
	b.get("10.0.0.9", 40000)
	if n := testing.AllocsPerRun(100, func() { b.get("10.0.0.9", 40000) }); n != 0 {
		t.Errorf("a known address cost %v allocations", n)
	}
}
