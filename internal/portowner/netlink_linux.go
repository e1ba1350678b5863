package portowner

import (
	"encoding/binary"
	"fmt"
	"net/netip"
	"syscall"
)

// The socket tables in /proc list every TCP socket, established and
// TIME_WAIT ones included, and the kernel formats them all at every
// read: with a few thousand connections (a busy router has them) one
// read costs milliseconds. The kernel's sock_diag netlink interface,
// asked for listening sockets only, walks only its table of listeners,
// so the check costs microseconds whatever the traffic. It is used
// first; /proc/net/tcp{,6} is the fallback where it is unavailable.

// sock_diag (linux/sock_diag.h, linux/inet_diag.h).
const (
	sockDiagByFamily = 20 // SOCK_DIAG_BY_FAMILY
	tcpfListen       = 1 << 10
	// sizeof(struct inet_diag_req_v2) and of struct inet_diag_msg.
	diagReqLen = 56
	diagMsgLen = 72
)

// listenersNetlink returns the listening TCP sockets of family (AF_INET
// or AF_INET6) from sock_diag.
func listenersNetlink(family uint8) ([]Listener, error) {
	fd, err := syscall.Socket(syscall.AF_NETLINK, syscall.SOCK_DGRAM|syscall.SOCK_CLOEXEC, syscall.NETLINK_INET_DIAG)
	if err != nil {
		return nil, fmt.Errorf("portowner: sock_diag socket: %w", err)
	}
	defer syscall.Close(fd)
	if err := syscall.Sendto(fd, diagRequest(family), 0, &syscall.SockaddrNetlink{Family: syscall.AF_NETLINK}); err != nil {
		return nil, fmt.Errorf("portowner: sock_diag request: %w", err)
	}
	var out []Listener
	buf := make([]byte, 32<<10)
	for {
		n, _, err := syscall.Recvfrom(fd, buf, 0)
		if err != nil {
			return nil, fmt.Errorf("portowner: sock_diag reply: %w", err)
		}
		msgs, err := syscall.ParseNetlinkMessage(buf[:n])
		if err != nil {
			return nil, fmt.Errorf("portowner: sock_diag reply: %w", err)
		}
		for _, m := range msgs {
			switch m.Header.Type {
			case syscall.NLMSG_DONE:
				return out, nil
			case syscall.NLMSG_ERROR:
				if len(m.Data) >= 4 {
					errno := syscall.Errno(-int32(binary.NativeEndian.Uint32(m.Data)))
					if errno == syscall.ENOENT || errno == syscall.EAFNOSUPPORT {
						return nil, errNoFamily
					}
					return nil, fmt.Errorf("portowner: sock_diag: %w", errno)
				}
				return nil, fmt.Errorf("portowner: sock_diag: short error message")
			case sockDiagByFamily:
				l, err := parseDiagMsg(m.Data)
				if err != nil {
					return nil, err
				}
				out = append(out, l)
			}
		}
	}
}

// diagRequest is a netlink dump request for the listening TCP sockets of
// family: struct nlmsghdr, then struct inet_diag_req_v2 with only
// TCPF_LISTEN in idiag_states.
func diagRequest(family uint8) []byte {
	b := make([]byte, syscall.NLMSG_HDRLEN+diagReqLen)
	ne := binary.NativeEndian
	ne.PutUint32(b[0:], uint32(len(b)))
	ne.PutUint16(b[4:], sockDiagByFamily)
	ne.PutUint16(b[6:], syscall.NLM_F_REQUEST|syscall.NLM_F_DUMP)
	ne.PutUint32(b[8:], 1) // seq
	r := b[syscall.NLMSG_HDRLEN:]
	r[0], r[1] = family, syscall.IPPROTO_TCP
	ne.PutUint32(r[4:], tcpfListen)
	return b
}

// parseDiagMsg reads struct inet_diag_msg: family, state, timer,
// retrans, then struct inet_diag_sockid (source port and address in
// network byte order, ...), and at its end uid and inode.
func parseDiagMsg(b []byte) (Listener, error) {
	if len(b) < diagMsgLen {
		return Listener{}, fmt.Errorf("portowner: sock_diag message of %d bytes, want %d", len(b), diagMsgLen)
	}
	family := b[0]
	id := b[4:52]
	port := int(binary.BigEndian.Uint16(id[0:2]))
	var addr netip.Addr
	switch family {
	case syscall.AF_INET:
		addr = netip.AddrFrom4([4]byte(id[4:8]))
	case syscall.AF_INET6:
		addr = netip.AddrFrom16([16]byte(id[4:20]))
	default:
		return Listener{}, fmt.Errorf("portowner: sock_diag message of family %d", family)
	}
	inode := uint64(binary.NativeEndian.Uint32(b[68:72]))
	return Listener{Addr: addr, Port: port, Inode: inode}, nil
}
