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

// The band ports are drawn from is above the kernel's ephemeral range
// (its default ends at 60999: 4,535 ports), where nothing else in this
// repository binds: the instance port pools of the shell scheduler and
// of the fake Marathon and kubelet are all below 32768. A machine whose
// range ends too high for that draws from [bandLow, the range's start)
// instead; below bandLow are the ports services are configured on by
// habit (8080, 9090, ...).
const bandLow = 10000

// minBand is the narrowest band worth drawing from; with neither band
// that wide the kernel's port 0 is used, as before.
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
	var last error // the last draw's bind failure, for the message
	for attempts := 0; len(ports) < n; attempts++ {
		if attempts == 100*n+100 {
			return nil, fmt.Errorf("freeport: no free port on 127.0.0.1 in [%d, %d) after %d attempts; the last: %w", lo, hi, attempts, last)
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
			last = err
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

// band is where ports are drawn from, [lo, hi): above the kernel's
// ephemeral range, else below it, else empty (the range unreadable, or
// neither side minBand wide).
func band() (lo, hi int) {
	start, end, err := ephemeralRange()
	switch {
	case err != nil:
		return 0, 0
	case 65535-end >= minBand:
		return end + 1, 65536
	case start-bandLow >= minBand:
		return bandLow, start
	}
	return 0, 0
}

// ephemeralRange is the kernel's ephemeral port range, first and last.
func ephemeralRange() (start, end int, err error) {
	b, err := os.ReadFile("/proc/sys/net/ipv4/ip_local_port_range")
	if err != nil {
		return 0, 0, err
	}
	return parseRange(string(b))
}

// parseRange reads ip_local_port_range's "low<TAB>high".
func parseRange(s string) (start, end int, err error) {
	f := strings.Fields(s)
	if len(f) != 2 {
		return 0, 0, errors.New("freeport: ip_local_port_range: want two ports")
	}
	if start, err = strconv.Atoi(f[0]); err != nil {
		return 0, 0, fmt.Errorf("freeport: ip_local_port_range: %w", err)
	}
	if end, err = strconv.Atoi(f[1]); err != nil {
		return 0, 0, fmt.Errorf("freeport: ip_local_port_range: %w", err)
	}
	if start > end {
		return 0, 0, fmt.Errorf("freeport: ip_local_port_range %d-%d: the first is past the last", start, end)
	}
	return start, end, nil
}
