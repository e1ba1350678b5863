package waiterhttp

import (
	"net"
	"strconv"
	"sync/atomic"
)

// backendAddrs remembers the "host:port" strings of the instances
// requests were sent to: net.JoinHostPort (with strconv.Itoa) built one,
// an allocation, on every proxied request, for an address that is the
// same for every request to an instance. Slots are picked by port; a
// slot holds the last address made for its ports, so the cache stays a
// fixed size however many instances come and go, and an address whose
// slot another took is made again, as before. Lock-free: a slot is
// replaced whole.
type backendAddrs struct {
	slots [256]atomic.Pointer[backendAddr]
}

type backendAddr struct {
	host string
	port int
	addr string
}

// get returns net.JoinHostPort(host, strconv.Itoa(port)).
func (b *backendAddrs) get(host string, port int) string {
	slot := &b.slots[uint(port)%uint(len(b.slots))]
	if a := slot.Load(); a != nil && a.port == port && a.host == host {
		return a.addr
	}
	addr := net.JoinHostPort(host, strconv.Itoa(port))
	slot.Store(&backendAddr{host: host, port: port, addr: addr})
	return addr
}
