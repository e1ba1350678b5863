package portowner

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"net/netip"
	"strconv"
	"strings"
)

// Listener is one listening TCP socket.
type Listener struct {
	Addr  netip.Addr
	Port  int
	Inode uint64
}

// stateListen is TCP_LISTEN in the st column (include/net/tcp_states.h).
const stateListen = "0A"

// ParseTable reads the listening sockets from the text of /proc/net/tcp
// or /proc/net/tcp6 (proc_net_tcp(5)): a header line, then per socket
// "sl local_address rem_address st tx:rx tr:when retrnsmt uid timeout
// inode ...". Addresses are hex words in the kernel's byte order, the
// port is plain hex. Sockets in any other state are skipped.
func ParseTable(b []byte) ([]Listener, error) {
	var out []Listener
	sc := bufio.NewScanner(bytes.NewReader(b))
	first := true
	for n := 1; sc.Scan(); n++ {
		line := sc.Text()
		if first {
			first = false
			if strings.Contains(line, "local_address") {
				continue // the header
			}
		}
		f := strings.Fields(line)
		if len(f) == 0 {
			continue
		}
		if len(f) < 10 {
			return nil, fmt.Errorf("portowner: line %d: %d fields, want at least 10: %q", n, len(f), line)
		}
		if f[3] != stateListen {
			continue
		}
		addr, port, err := parseEndpoint(f[1])
		if err != nil {
			return nil, fmt.Errorf("portowner: line %d: local address %q: %w", n, f[1], err)
		}
		inode, err := strconv.ParseUint(f[9], 10, 64)
		if err != nil {
			return nil, fmt.Errorf("portowner: line %d: inode %q: %w", n, f[9], err)
		}
		out = append(out, Listener{Addr: addr, Port: port, Inode: inode})
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("portowner: read table: %w", err)
	}
	return out, nil
}

// parseEndpoint reads "0100007F:1F90" (IPv4) or 32 hex digits and a port
// (IPv6). The kernel prints each 32-bit word of the address as a native
// integer (%08X), so on little-endian machines the bytes of every word
// come reversed.
func parseEndpoint(s string) (netip.Addr, int, error) {
	host, portHex, ok := strings.Cut(s, ":")
	if !ok {
		return netip.Addr{}, 0, fmt.Errorf("no port")
	}
	port, err := strconv.ParseUint(portHex, 16, 16)
	if err != nil {
		return netip.Addr{}, 0, fmt.Errorf("port: %w", err)
	}
	raw, err := hex.DecodeString(host)
	if err != nil || (len(raw) != 4 && len(raw) != 16) {
		return netip.Addr{}, 0, fmt.Errorf("address is not 8 or 32 hex digits")
	}
	var b [16]byte
	for i := 0; i < len(raw); i += 4 {
		binary.NativeEndian.PutUint32(b[i:], binary.BigEndian.Uint32(raw[i:]))
	}
	if len(raw) == 4 {
		return netip.AddrFrom4([4]byte(b[:4])), int(port), nil
	}
	return netip.AddrFrom16(b), int(port), nil
}

// ReachesLoopback reports whether a socket bound to l's address receives
// connections to 127.0.0.1: it is bound to 127.0.0.1 itself or to a
// wildcard (0.0.0.0, ::, which on Linux also takes IPv4 unless
// IPV6_V6ONLY is set: that cannot be seen here, so it counts), in IPv4
// or IPv4-mapped form.
func (l Listener) ReachesLoopback() bool {
	a := l.Addr.Unmap()
	return a.IsUnspecified() || a == netip.AddrFrom4([4]byte{127, 0, 0, 1})
}
