//go:build linux

package rawio

import (
	"bytes"
	"io"
	"net"
	"os"
	"testing"
)

// chunkReader hands out data in whatever size it is asked for, or at
// most most bytes per read when most is set (a client trickling its
// body), recording the largest ask; it has no WriteTo, as a request body
// has none.
type chunkReader struct {
	data    []byte
	most    int
	largest int
}

func (r *chunkReader) Read(p []byte) (int, error) {
	r.largest = max(r.largest, len(p))
	if len(r.data) == 0 {
		return 0, io.EOF
	}
	if r.most > 0 {
		p = p[:min(len(p), r.most)]
	}
	n := copy(p, r.data)
	r.data = r.data[n:]
	return n, nil
}

// A body copied into the connection (net/http's transport forwarding a
// request body: io.LimitedReader over the body) arrives whole, and is
// read 256 KiB at a time, not io.Copy's 32 KiB.
func TestReadFromCopiesInLargeChunks(t *testing.T) {
	c, peer := pair(t)
	want := bytes.Repeat([]byte("0123456789abcdef"), (1<<20+12345)/16)
	src := &chunkReader{data: want}
	got := make(chan []byte, 1)
	go func() {
		b, _ := io.ReadAll(peer)
		got <- b
	}()
	n, err := c.ReadFrom(&io.LimitedReader{R: src, N: int64(len(want))})
	if err != nil || n != int64(len(want)) {
		t.Fatalf("ReadFrom = %d, %v; want %d, nil", n, err, len(want))
	}
	if err := c.CloseWrite(); err != nil {
		t.Fatal(err)
	}
	if b := <-got; !bytes.Equal(b, want) {
		t.Fatalf("the peer read %d bytes, not the %d sent", len(b), len(want))
	}
	if src.largest < 256<<10 {
		t.Errorf("the source was read %d bytes at most, want 256 KiB", src.largest)
	}
}

// A body that comes in trickles is copied through the small chunk only:
// a slow or stalled upload holds 32 KiB, not 256.
func TestReadFromKeepsTheSmallChunkForATrickle(t *testing.T) {
	c, peer := pair(t)
	want := bytes.Repeat([]byte("x"), 50_000)
	src := &chunkReader{data: want, most: 100}
	got := make(chan []byte, 1)
	go func() {
		b, _ := io.ReadAll(peer)
		got <- b
	}()
	if n, err := c.ReadFrom(src); err != nil || n != int64(len(want)) {
		t.Fatalf("ReadFrom = %d, %v; want %d, nil", n, err, len(want))
	}
	if err := c.CloseWrite(); err != nil {
		t.Fatal(err)
	}
	if b := <-got; !bytes.Equal(b, want) {
		t.Fatalf("the peer read %d bytes, not the %d sent", len(b), len(want))
	}
	if src.largest > 32<<10 {
		t.Errorf("a trickling source was asked for %d bytes, want at most 32 KiB", src.largest)
	}
}

// Sources the kernel copies from itself go to the TCPConn's ReadFrom
// (splice, sendfile); others through the chunk.
func TestKernelCopies(t *testing.T) {
	f, err := os.CreateTemp(t.TempDir(), "body")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	for _, c := range []struct {
		r    io.Reader
		want bool
	}{
		{f, true},
		{&io.LimitedReader{R: f, N: 1}, true},
		{&net.TCPConn{}, true},
		{&chunkReader{}, false},
		{&io.LimitedReader{R: &chunkReader{}, N: 1}, false},
		{bytes.NewReader(nil), false},
	} {
		if got := kernelCopies(c.r); got != c.want {
			t.Errorf("kernelCopies(%T) = %v, want %v", c.r, got, c.want)
		}
	}
}
