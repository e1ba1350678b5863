//go:build linux

package loopfront

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
	"unsafe"

	waiterhttp "github.com/waiter-go/waiter/adapters/http"
	"github.com/waiter-go/waiter/internal/h1serve"
)

// handingEdge routes nothing to the loops: every request goes to the
// Front's Handoff, so the tests see the accepting alone.
type handingEdge struct{}

func (handingEdge) NewLoopDecisions() *waiterhttp.LoopDecisions                { return nil }
func (handingEdge) NewLoopCall(*waiterhttp.LoopDecisions) *waiterhttp.LoopCall { return nil }
func (handingEdge) LoopRoutable(*http.Request, []h1serve.Field) bool           { return false }
func (handingEdge) ConnContext(ctx context.Context) context.Context            { return ctx }

// acceptingFront starts a Front of one loop accepting from a new
// listener; each handed-off connection is answered with the address it
// came from and the bytes the loop read of it, then closed.
func acceptingFront(t *testing.T, mutate ...func(*Config)) (*Front, net.Listener) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	cfg := Config{Loops: 1}
	cfg.Handoff = func(c net.Conn, pending []byte) {
		body := c.RemoteAddr().String() + " " + strings.Fields(string(pending) + " -")[0]
		_, _ = io.WriteString(c, "HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: "+strconv.Itoa(len(body))+"\r\n\r\n"+body)
		_ = c.Close()
	}
	for _, m := range mutate {
		m(&cfg)
	}
	f, err := New(cfg, handingEdge{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		f.Unlisten()
		_ = ln.Close()
		f.Close()
	})
	if !f.Listen(ln) {
		t.Fatal("the loops did not take the listener")
	}
	return f, ln
}

// get sends a GET on a new connection to addr and returns the answer's
// body, or the error that ended it.
func get(addr string) (string, error) {
	c, err := net.Dial("tcp", addr)
	if err != nil {
		return "", err
	}
	defer c.Close()
	_ = c.SetDeadline(time.Now().Add(5 * time.Second))
	if _, err := io.WriteString(c, "GET /x HTTP/1.1\r\nHost: h\r\n\r\n"); err != nil {
		return "", err
	}
	b, err := io.ReadAll(c)
	if err != nil {
		return "", err
	}
	_, body, ok := strings.Cut(string(b), "\r\n\r\n")
	if !ok {
		return "", errors.New("no answer: " + string(b))
	}
	return body, nil
}

// The loops accept the listener's connections themselves, and one they
// hand off reaches the goroutine front as a net.Conn with its address
// and the bytes read of it.
func TestLoopsAcceptAndHandOff(t *testing.T) {
	f, ln := acceptingFront(t)
	for i := range 3 {
		c, err := net.Dial("tcp", ln.Addr().String())
		if err != nil {
			t.Fatal(err)
		}
		_ = c.SetDeadline(time.Now().Add(5 * time.Second))
		_, _ = io.WriteString(c, "GET /x HTTP/1.1\r\nHost: h\r\n\r\n")
		b, err := io.ReadAll(c)
		_ = c.Close()
		want := c.LocalAddr().String() + " GET"
		if err != nil || !strings.HasSuffix(string(b), "\r\n\r\n"+want) {
			t.Fatalf("connection %d: %q, %v; want the body %q", i, b, err, want)
		}
	}
	if f.Accepted() != 3 || f.Handoffs() != 3 {
		t.Errorf("accepted %d, handed off %d; want 3 and 3", f.Accepted(), f.Handoffs())
	}
}

// Once Unlisten returns, the listener, closed, refuses connections: the
// loops' duplicates of its descriptor no longer keep it listening. A
// Listen after it does not start the loops again.
func TestUnlistenStopsAccepting(t *testing.T) {
	f, ln := acceptingFront(t)
	if _, err := get(ln.Addr().String()); err != nil {
		t.Fatal(err)
	}
	f.Unlisten()
	_ = ln.Close()
	if c, err := net.Dial("tcp", ln.Addr().String()); err == nil {
		c.Close()
		t.Fatal("the closed listener still takes connections")
	} else if !errors.Is(err, syscall.ECONNREFUSED) {
		t.Fatalf("dial after Unlisten: %v, want connection refused", err)
	}
	ln2, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln2.Close()
	if f.Listen(ln2) {
		t.Error("Listen after Unlisten took the listener")
	}
}

// A listener that fails under the loops (shut down, here) is reported
// through AcceptFailed, as net/http's server returns Accept's error, and
// the loops accept from it no more.
func TestListenerFailureIsReported(t *testing.T) {
	failed := make(chan error, 4)
	_, ln := acceptingFront(t, func(c *Config) { c.AcceptFailed = func(err error) { failed <- err } })
	if _, err := get(ln.Addr().String()); err != nil {
		t.Fatal(err)
	}
	fd, ok := listenerFD(ln)
	if !ok {
		t.Fatal("no descriptor")
	}
	if err := syscall.Shutdown(fd, syscall.SHUT_RD); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-failed:
		if !errors.Is(err, syscall.EINVAL) || !strings.Contains(err.Error(), "accept") {
			t.Errorf("AcceptFailed(%v), want accept's EINVAL", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("the failed listener was not reported")
	}
	select {
	case err := <-failed:
		t.Errorf("reported twice by one loop: %v", err)
	case <-time.After(50 * time.Millisecond):
	}
}

// Out of descriptors, a loop stops accepting for a while (5 ms, doubling)
// instead of being woken by the waiting connection on every round, and
// accepts it once descriptors are free again.
func TestAcceptOutOfDescriptorsBacksOff(t *testing.T) {
	f, ln := acceptingFront(t)
	var old syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &old); err != nil {
		t.Fatal(err)
	}
	// The connection is dialed with the process's last descriptor below
	// the new limit: the loop's accept4 then finds none.
	free := lowestFreeFD(t)
	lim := old
	lim.Cur = uint64(free + 1)
	if err := syscall.Setrlimit(syscall.RLIMIT_NOFILE, &lim); err != nil {
		t.Fatal(err)
	}
	restored := false
	restore := func() {
		if !restored {
			restored = true
			if err := syscall.Setrlimit(syscall.RLIMIT_NOFILE, &old); err != nil {
				t.Fatal(err)
			}
		}
	}
	defer restore()
	c, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		restore()
		t.Fatalf("dial with the last descriptor: %v", err)
	}
	defer c.Close()
	_ = c.SetDeadline(time.Now().Add(5 * time.Second))
	_, _ = io.WriteString(c, "GET /x HTTP/1.1\r\nHost: h\r\n\r\n")
	deadline := time.Now().Add(2 * time.Second)
	for f.acceptPauses.Load() == 0 && time.Now().Before(deadline) {
		time.Sleep(time.Millisecond)
	}
	time.Sleep(300 * time.Millisecond) // long enough for thousands of rounds, were the loop spinning
	pauses := f.acceptPauses.Load()
	restore()
	// 5+10+20+40+80+160 ms: six pauses in 300 ms, one or two more by
	// the time the first came.
	if pauses < 1 || pauses > 10 {
		t.Fatalf("%d pauses out of descriptors in 300 ms, want 1 to 10", pauses)
	}
	b, err := io.ReadAll(c)
	if err != nil || !strings.Contains(string(b), " 200 OK") {
		t.Fatalf("the waiting connection, once descriptors were free: %q, %v", b, err)
	}
	if f.Accepted() != 1 {
		t.Errorf("accepted %d, want 1", f.Accepted())
	}
}

// lowestFreeFD is the descriptor number the process's next one gets.
func lowestFreeFD(t *testing.T) int {
	t.Helper()
	fd, err := syscall.Dup(0)
	if err != nil {
		t.Fatal(err)
	}
	_ = syscall.Close(fd)
	return fd
}

// remoteAddr writes addresses as net.TCPAddr does.
func TestRemoteAddr(t *testing.T) {
	lo, err := net.InterfaceByIndex(1)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		sa   syscall.Sockaddr
		want string
	}{
		{&syscall.SockaddrInet4{Port: 8080, Addr: [4]byte{10, 1, 2, 3}}, "10.1.2.3:8080"},
		{&syscall.SockaddrInet6{Port: 443, Addr: [16]byte{15: 1}}, "[::1]:443"},
		{&syscall.SockaddrInet6{Port: 80, Addr: [16]byte{10: 0xff, 11: 0xff, 12: 127, 15: 1}}, "127.0.0.1:80"},
		{&syscall.SockaddrInet6{Port: 80, ZoneId: 1, Addr: [16]byte{0: 0xfe, 1: 0x80, 15: 1}}, "[fe80::1%" + lo.Name + "]:80"},
		{&syscall.SockaddrInet6{Port: 80, ZoneId: 1 << 30, Addr: [16]byte{0: 0xfe, 1: 0x80, 15: 1}}, "[fe80::1%1073741824]:80"},
		{&syscall.SockaddrUnix{Name: "/x"}, ""},
	} {
		got := remoteAddr(rawSockaddr(c.sa))
		if got != c.want {
			t.Errorf("remoteAddr(%+v) = %q, want %q", c.sa, got, c.want)
		}
		if tcp, ok := c.sa.(*syscall.SockaddrInet6); ok && tcp.ZoneId == 0 {
			if std := (&net.TCPAddr{IP: tcp.Addr[:], Port: tcp.Port}).String(); std != got {
				t.Errorf("net.TCPAddr writes %q, remoteAddr %q", std, got)
			}
		}
	}
}

// rawSockaddr is sa as accept4 writes it: the family, the port in
// network byte order.
func rawSockaddr(sa syscall.Sockaddr) *syscall.RawSockaddrAny {
	var rsa syscall.RawSockaddrAny
	port := func(p int) uint16 {
		b := [2]byte{byte(p >> 8), byte(p)}
		return *(*uint16)(unsafe.Pointer(&b))
	}
	switch sa := sa.(type) {
	case *syscall.SockaddrInet4:
		r := (*syscall.RawSockaddrInet4)(unsafe.Pointer(&rsa))
		r.Family, r.Port, r.Addr = syscall.AF_INET, port(sa.Port), sa.Addr
	case *syscall.SockaddrInet6:
		r := (*syscall.RawSockaddrInet6)(unsafe.Pointer(&rsa))
		r.Family, r.Port, r.Scope_id, r.Addr = syscall.AF_INET6, port(sa.Port), sa.ZoneId, sa.Addr
	case *syscall.SockaddrUnix:
		rsa.Addr.Family = syscall.AF_UNIX
	}
	return &rsa
}

// A burst of connections (a client pool opening its connections at
// once) is spread over the loops, not kept by whichever accepted it: a
// keep-alive connection stays in its loop for good. Without the spread,
// one loop took all 64 in about half the bursts.
func TestAcceptedConnectionsSpreadOverTheLoops(t *testing.T) {
	for range 5 {
		a, b := acceptBurst(t, 64)
		if a+b != 64 || a-b > 2 || b-a > 2 {
			t.Fatalf("the loops hold %d and %d of 64 connections", a, b)
		}
	}
}

// acceptBurst has two loops accept n connections that waited in the
// listener's backlog before the loops looked (the first loop woken
// finds all of them), and returns how many each holds.
func acceptBurst(t *testing.T, n int) (int64, int64) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	f, err := New(Config{Loops: 2, Handoff: func(c net.Conn, _ []byte) { _ = c.Close() }}, handingEdge{})
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	defer f.Unlisten()
	for range n {
		c, err := net.Dial("tcp", ln.Addr().String())
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
	}
	if !f.Listen(ln) {
		t.Fatal("the loops did not take the listener")
	}
	loads := func() (int64, int64) { return f.loops[0].clients.Load(), f.loops[1].clients.Load() }
	deadline := time.Now().Add(5 * time.Second)
	a, b := loads()
	for ; a+b < int64(n) && time.Now().Before(deadline); a, b = loads() {
		time.Sleep(time.Millisecond)
	}
	return a, b
}

// rawAccept4 and remoteAddr read the kernel's address as accept(2) wrote
// it: the client's own end of the connection, port in network byte
// order, for IPv4 and IPv6 (a port of 0x1234 read in host order would
// be 0x3412).
func TestRawAcceptReadsTheClientsAddress(t *testing.T) {
	for _, network := range []string{"tcp4", "tcp6"} {
		addr := "127.0.0.1:0"
		if network == "tcp6" {
			addr = "[::1]:0"
		}
		ln, err := net.Listen(network, addr)
		if err != nil {
			t.Logf("%s: %v (no such loopback here)", network, err)
			continue
		}
		defer ln.Close()
		c, err := net.Dial(network, ln.Addr().String())
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		raw, err := ln.(*net.TCPListener).SyscallConn()
		if err != nil {
			t.Fatal(err)
		}
		var rsa syscall.RawSockaddrAny
		var fd int
		var aerr error
		if err := raw.Control(func(lfd uintptr) { fd, aerr = rawAccept4(int(lfd), &rsa, syscall.SOCK_CLOEXEC) }); err != nil {
			t.Fatal(err)
		}
		if aerr != nil {
			t.Fatalf("%s: accept4: %v", network, aerr)
		}
		if err := rawClose(fd); err != nil {
			t.Errorf("%s: close: %v", network, err)
		}
		if got, want := remoteAddr(&rsa), c.LocalAddr().String(); got != want {
			t.Errorf("%s: accepted from %q, the client is %q", network, got, want)
		}
	}
	if err := rawClose(-1); err != syscall.EBADF {
		t.Errorf("rawClose(-1) = %v, want EBADF", err)
	}
}

// A connection the loop hands off to the goroutine front after its
// client reset it has no peer any more: netConn refuses it
// (errPeerGone) rather than make a net.Conn without a remote address,
// whose String crashed the router in h1serve. A live one keeps its
// client's address.
func TestHandOffOfAResetConnectionIsRefused(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	serverSide := func() (*net.TCPConn, net.Conn) {
		client, err := net.Dial("tcp", ln.Addr().String())
		if err != nil {
			t.Fatal(err)
		}
		server, err := ln.Accept()
		if err != nil {
			t.Fatal(err)
		}
		return server.(*net.TCPConn), client
	}
	// ownFD is a duplicate of c's descriptor, netConn's to close.
	ownFD := func(c *net.TCPConn) int {
		f, err := c.File()
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		fd, err := syscall.Dup(int(f.Fd()))
		if err != nil {
			t.Fatal(err)
		}
		return fd
	}

	live, client := serverSide()
	defer live.Close()
	defer client.Close()
	nc, err := netConn(ownFD(live))
	if err != nil {
		t.Fatalf("netConn of a live connection: %v", err)
	}
	if nc.RemoteAddr() == nil || nc.RemoteAddr().String() != client.LocalAddr().String() {
		t.Errorf("live connection's remote address %v, want %v", nc.RemoteAddr(), client.LocalAddr())
	}
	_ = nc.Close()

	reset, client := serverSide()
	defer reset.Close()
	_ = client.(*net.TCPConn).SetLinger(0)
	_ = client.Close()
	// The reset has arrived once a read says so.
	_ = reset.SetReadDeadline(time.Now().Add(5 * time.Second))
	if _, err := reset.Read(make([]byte, 1)); !errors.Is(err, syscall.ECONNRESET) {
		t.Fatalf("reading the reset connection: %v, want ECONNRESET", err)
	}
	nc, err = netConn(ownFD(reset))
	if !errors.Is(err, errPeerGone) || nc != nil {
		t.Fatalf("netConn of a reset connection = %v, %v; want errPeerGone", nc, err)
	}
}
