//go:build linux

package rawio

import (
	"bytes"
	"errors"
	"io"
	"net"
	"os"
	"sync"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// pair returns a wrapped client connection and the server's end of it.
func pair(t *testing.T) (*Conn, net.Conn) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	accepted := make(chan net.Conn, 1)
	go func() {
		c, err := ln.Accept()
		if err != nil {
			close(accepted)
			return
		}
		accepted <- c
	}()
	c, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	peer, ok := <-accepted
	if !ok {
		t.Fatal("accept failed")
	}
	rc, ok := Wrap(c).(*Conn)
	if !ok {
		t.Fatalf("Wrap(%T) is not a *Conn", c)
	}
	t.Cleanup(func() { rc.Close(); peer.Close() })
	return rc, peer
}

func TestWrapLeavesOtherConnsAlone(t *testing.T) {
	a, b := net.Pipe()
	defer a.Close()
	defer b.Close()
	if got := Wrap(a); got != a {
		t.Fatalf("Wrap(pipe) = %T, want the pipe itself", got)
	}
}

func TestReadWriteBothWays(t *testing.T) {
	c, peer := pair(t)
	if n, err := c.Write([]byte("ping")); n != 4 || err != nil {
		t.Fatalf("Write = %d, %v", n, err)
	}
	buf := make([]byte, 16)
	if n, err := io.ReadFull(peer, buf[:4]); err != nil || string(buf[:n]) != "ping" {
		t.Fatalf("peer read %q, %v", buf[:n], err)
	}
	// The peer answers after Read is already waiting for readiness.
	go func() {
		time.Sleep(10 * time.Millisecond) // let Read park first; correctness does not depend on it
		peer.Write([]byte("pong"))
	}()
	n, err := c.Read(buf)
	if err != nil || string(buf[:n]) != "pong" {
		t.Fatalf("Read = %q, %v", buf[:n], err)
	}
	if n, err := c.Read(nil); n != 0 || err != nil {
		t.Fatalf("Read(nil) = %d, %v", n, err)
	}
}

func TestEOFAfterPeerCloses(t *testing.T) {
	c, peer := pair(t)
	peer.Write([]byte("last"))
	peer.Close()
	got, err := io.ReadAll(c)
	if err != nil || string(got) != "last" {
		t.Fatalf("ReadAll = %q, %v", got, err)
	}
	if _, err := c.Read(make([]byte, 4)); err != io.EOF {
		t.Fatalf("Read after EOF: %v, want io.EOF", err)
	}
}

// A write larger than the socket buffers waits for room as many times as
// it takes and delivers every byte in order.
func TestLargeWriteWaitsForRoom(t *testing.T) {
	c, peer := pair(t)
	checkLargeWrite(t, c, peer, c.Write)
}

// checkLargeWrite writes 1 MiB through a 4 KB send buffer with write and
// checks that the peer gets every byte, in order.
func checkLargeWrite(t *testing.T, c *Conn, peer net.Conn, write func([]byte) (int, error)) {
	t.Helper()
	c.SetWriteBuffer(4 << 10)
	want := bytes.Repeat([]byte("0123456789abcdef"), 1<<16) // 1 MiB
	got := make(chan []byte, 1)
	go func() {
		b, _ := io.ReadAll(io.LimitReader(peer, int64(len(want))))
		got <- b
	}()
	if n, err := write(want); n != len(want) || err != nil {
		t.Fatalf("write = %d, %v", n, err)
	}
	if b := <-got; !bytes.Equal(b, want) {
		t.Fatalf("peer got %d bytes, not the %d written", len(b), len(want))
	}
}

// Deadlines and Close end a waiting Read with the errors net's own
// would: callers test them with errors.Is and net.Error.
func TestDeadlineAndCloseErrors(t *testing.T) {
	c, _ := pair(t)
	c.SetReadDeadline(time.Now().Add(20 * time.Millisecond))
	_, err := c.Read(make([]byte, 4))
	var ne net.Error
	if !errors.Is(err, os.ErrDeadlineExceeded) || !errors.As(err, &ne) || !ne.Timeout() {
		t.Fatalf("Read past its deadline: %v, want a timeout", err)
	}
	var oe *net.OpError
	if !errors.As(err, &oe) || oe.Op != "read" {
		t.Fatalf("Read past its deadline: %#v, want a read OpError", err)
	}
	c.SetReadDeadline(time.Time{})
	done := make(chan error, 1)
	go func() {
		_, err := c.Read(make([]byte, 4))
		done <- err
	}()
	time.Sleep(10 * time.Millisecond) // let it wait; the outcome is the same either way
	c.Close()
	if err := <-done; !errors.Is(err, net.ErrClosed) {
		t.Fatalf("Read ended by Close: %v, want net.ErrClosed", err)
	}
	if _, err := c.Write([]byte("x")); !errors.Is(err, net.ErrClosed) {
		t.Fatalf("Write after Close: %v, want net.ErrClosed", err)
	}
}

// A write to a peer that reset the connection fails with the system's
// error, as net's does, rather than hanging or panicking.
func TestWriteToResetPeerFails(t *testing.T) {
	c, peer := pair(t)
	peer.(*net.TCPConn).SetLinger(0)
	peer.Close() // RST
	var err error
	for i := 0; i < 100 && err == nil; i++ {
		_, err = c.Write(make([]byte, 64<<10))
	}
	var oe *net.OpError
	if err == nil || !errors.As(err, &oe) || oe.Op != "write" {
		t.Fatalf("Write to a reset peer: %v, want a write OpError", err)
	}
}

// Concurrent readers and writers on one Conn each get whole, ordered
// streams (run with -race: the per-direction state is shared).
func TestConcurrentReadersAndWriters(t *testing.T) {
	c, peer := pair(t)
	const n = 2000
	var wg sync.WaitGroup
	go io.Copy(peer, peer) // echo
	var total int
	var mu sync.Mutex
	for w := 0; w < 4; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < n/4; i++ {
				if _, err := c.Write([]byte("abcdefgh")); err != nil {
					t.Error(err)
					return
				}
			}
		}()
	}
	done := make(chan struct{})
	var once sync.Once
	for r := 0; r < 2; r++ {
		go func() {
			buf := make([]byte, 37)
			for {
				k, err := c.Read(buf)
				mu.Lock()
				total += k
				full := total == 8*n
				mu.Unlock()
				if full {
					once.Do(func() { close(done) })
					return
				}
				if err != nil {
					return
				}
			}
		}()
	}
	wg.Wait()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		mu.Lock()
		t.Fatalf("read %d of %d echoed bytes", total, 8*n)
	}
}

// Closing with bytes of the peer unread ends the stream (the peer reads
// the answer, then EOF) instead of resetting it, which the peer would
// read as "connection reset by peer" after the answer's last byte.
func TestCloseWithUnreadInputEndsTheStream(t *testing.T) {
	c, peer := pair(t)
	sent := bytes.Repeat([]byte("x"), 10_000)
	if _, err := peer.Write(sent); err != nil {
		t.Fatal(err)
	}
	// Until all of it is in c's socket, unread.
	for deadline := time.Now().Add(5 * time.Second); ; {
		var queued int
		if err := c.rc.Control(func(fd uintptr) { queued, _ = unix.IoctlGetInt(int(fd), unix.SIOCINQ) }); err != nil {
			t.Fatal(err)
		}
		if queued == len(sent) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d of %d bytes arrived", queued, len(sent))
		}
		time.Sleep(time.Millisecond)
	}
	if _, err := c.Write([]byte("answer")); err != nil {
		t.Fatal(err)
	}
	if err := c.Close(); err != nil {
		t.Fatal(err)
	}
	_ = peer.SetReadDeadline(time.Now().Add(5 * time.Second))
	got, err := io.ReadAll(peer)
	if err != nil || string(got) != "answer" {
		t.Errorf("the peer read %q, %v; want %q and EOF", got, err, "answer")
	}
}
