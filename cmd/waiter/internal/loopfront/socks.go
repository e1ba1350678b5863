//go:build linux

package loopfront

// socks is a loop's sockets by file descriptor. Descriptors are small
// integers (the kernel hands out the lowest free one), so a slice indexed
// by descriptor finds a socket with one bounds check: every epoll event
// looks its socket up, twice, and a map's hashing and probing was about
// 3 % of the loop's user CPU under keep-alive load.
type socks struct {
	byFD []sock
	n    int // sockets held
}

// get is fd's socket, or nil.
func (t *socks) get(fd int) sock {
	if uint(fd) < uint(len(t.byFD)) {
		return t.byFD[fd]
	}
	return nil
}

// set makes s fd's socket.
func (t *socks) set(fd int, s sock) {
	if fd >= len(t.byFD) {
		grown := make([]sock, max(fd+1, 2*len(t.byFD), 64))
		copy(grown, t.byFD)
		t.byFD = grown
	}
	if t.byFD[fd] == nil {
		t.n++
	}
	t.byFD[fd] = s
}

// del forgets fd's socket, if any.
func (t *socks) del(fd int) {
	if uint(fd) < uint(len(t.byFD)) && t.byFD[fd] != nil {
		t.byFD[fd] = nil
		t.n--
	}
}

// len is how many sockets the table holds.
func (t *socks) len() int { return t.n }

// all calls f for each socket held when all began; f may remove sockets
// (a drain closes them), which all then skips.
func (t *socks) all(f func(sock)) {
	for _, s := range t.byFD {
		if s != nil {
			f(s)
		}
	}
}
