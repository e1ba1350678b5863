package freeport

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"net"
	"os"
	"strconv"
	"strings"
)

// The band ports are drawn from: [bandLow, the ephemeral range's start).
// Below bandLow are the ports services are configured on by habit (8080,
// 9090, ...), which another program on the machine may take at any time.
const bandLow = 10000

// minBand is the narrowest band worth drawing from; with a smaller one
// (an ephemeral range configured to start low) the kernel's port 0 is
// used instead, as before.
const minBand = 1000

// TCP returns n distinct ports on 127.0.0.1 that nothing listens on.
func TCP(n int) ([]int, error) { return find(n, false) }

// TCPAndUDP returns a port on 127.0.0.1 free for both TCP and UDP (a
// KDC serves both on one port).
func TCPAndUDP() (int, error) {
	ports, err := find(1, true)
	if err != nil {
		return 0, err
	}
	return ports[0], nil
}

// find draws n ports from the band, each checked by binding it (and
// held until all are found, so that they are distinct); without a band,
// it asks the kernel.
func find(n int, udp bool) ([]int, error) {
	lo, hi := band()
	var held []func()
	defer func() {
		for _, release := range held {
			release()
		}
	}()
	ports := make([]int, 0, n)
	for attempts := 0; len(ports) < n; attempts++ {
		if attempts == 100*n+100 {
			return nil, fmt.Errorf("freeport: no free port on 127.0.0.1 in [%d, %d) after %d attempts", lo, hi, attempts)
		}
		port := 0
		if hi > lo {
			port = lo + rand.IntN(hi-lo)
		}
		release, got, err := hold(port, udp)
		if err != nil {
			if port == 0 {
				return nil, err
			}
			continue // taken: draw another
		}
		held = append(held, release)
		ports = append(ports, got)
	}
	return ports, nil
}

// hold binds port (0: one the kernel picks) on 127.0.0.1 for TCP and,
// when udp is set, for UDP, and returns how to let it go.
func hold(port int, udp bool) (release func(), got int, err error) {
	l, err := net.Listen("tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(port)))
	if err != nil {
		return nil, 0, fmt.Errorf("freeport: %w", err)
	}
	got = l.Addr().(*net.TCPAddr).Port
	if !udp {
		return func() { _ = l.Close() }, got, nil
	}
	u, err := net.ListenPacket("udp", net.JoinHostPort("127.0.0.1", strconv.Itoa(got)))
	if err != nil {
		_ = l.Close()
		return nil, 0, fmt.Errorf("freeport: %w", err)
	}
	return func() { _ = l.Close(); _ = u.Close() }, got, nil
}

// band is [bandLow, the ephemeral range's start), or an empty band when
// that is narrower than minBand or the range cannot be read.
func band() (lo, hi int) {
	start, err := ephemeralStart()
	if err != nil || start-bandLow < minBand {
		return 0, 0
	}
	return bandLow, start
}

// ephemeralStart is the first port of the kernel's ephemeral range.
func ephemeralStart() (int, error) {
	b, err := os.ReadFile("/proc/sys/net/ipv4/ip_local_port_range")
	if err != nil {
		return 0, err
	}
	return parseRangeStart(string(b))
}

// parseRangeStart reads the first number of ip_local_port_range's
// "low<TAB>high".
func parseRangeStart(s string) (int, error) {
	f := strings.Fields(s)
	if len(f) != 2 {
		return 0, errors.New("freeport: ip_local_port_range: want two ports")
	}
	return strconv.Atoi(f[0])
}
