//go:build linux

package loopfront

// socks is a loop's sockets by file descriptor. Descriptors are small
// integers (the kernel hands out the lowest free one), so a slice indexed
// by descriptor finds a socket with one bounds check: every epoll event
// looks its socket up, twice, and a map's hashing and probing was about
// 3 % of the loop's user CPU under keep-alive load.
//
// The loops share the process's descriptors, so each loop's slice grows
// to about the highest descriptor in the process, not to its own share
// of them: it is capped at sliceFDs entries (1 MiB), as nginx sizes each
// worker's connection array by worker_connections, and the descriptors
// above the cap are kept in a map.
type socks struct {
	byFD []sock
	high map[int]sock // descriptors from sliceFDs on
	n    int          // sockets held
}

// sliceFDs is the number of descriptors a loop finds by index.
const sliceFDs = 1 << 16

// get is fd's socket, or nil.
func (t *socks) get(fd int) sock {
	if uint(fd) < uint(len(t.byFD)) {
		return t.byFD[fd]
	}
	if fd >= sliceFDs && t.high != nil {
		return t.high[fd]
	}
	return nil
}

// set makes s fd's socket.
func (t *socks) set(fd int, s sock) {
	if fd >= sliceFDs {
		if t.high == nil {
			t.high = map[int]sock{}
		}
		if _, ok := t.high[fd]; !ok {
			t.n++
		}
		t.high[fd] = s
		return
	}
	if fd >= len(t.byFD) {
		grown := make([]sock, min(max(fd+1, 2*len(t.byFD), 64), sliceFDs))
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
	if uint(fd) < uint(len(t.byFD)) {
		if t.byFD[fd] != nil {
			t.byFD[fd] = nil
			t.n--
		}
		return
	}
	if _, ok := t.high[fd]; ok {
		delete(t.high, fd)
		t.n--
	}
}

// len is how many sockets the table holds.
func (t *socks) len() int { return t.n }

// all calls f for each socket held; f may remove sockets (a drain closes
// them), which all then skips if their turn had not come.
func (t *socks) all(f func(sock)) {
	for _, s := range t.byFD {
		if s != nil {
			f(s)
		}
	}
	for _, s := range t.high {
		f(s)
	}
}
