//go:build linux

package rawio

import (
	"io"
	"net"
	"os"
	"sync"
)

// copyChunk is how much ReadFrom moves per read and write: 256 KiB,
// where io.Copy's (and so net.TCPConn's ReadFrom for a source it cannot
// splice) is 32 KiB. A request body the proxy forwards (net/http's
// transport copies it into the backend connection's ReadFrom) then costs
// four writes per MiB, and as few reads as the client's socket allows,
// where it took 32 of each.
const copyChunk = 256 << 10

var copyChunks = sync.Pool{New: func() any { b := make([]byte, copyChunk); return &b }}

// ReadFrom copies r into the connection until r's EOF, with raw writes.
// A source the kernel can splice or send from itself (a TCP or Unix
// socket, a file, as is or under an io.LimitedReader) goes to the
// TCPConn's ReadFrom, which does that.
func (c *Conn) ReadFrom(r io.Reader) (int64, error) {
	if kernelCopies(r) {
		return c.TCPConn.ReadFrom(r)
	}
	bp := copyChunks.Get().(*[]byte)
	defer copyChunks.Put(bp)
	return io.CopyBuffer(writerOnly{c}, r, *bp)
}

// kernelCopies reports whether net.TCPConn's ReadFrom moves r's bytes
// in the kernel (splice, sendfile).
func kernelCopies(r io.Reader) bool {
	if lr, ok := r.(*io.LimitedReader); ok {
		r = lr.R
	}
	switch r.(type) {
	case *net.TCPConn, *net.UnixConn, *os.File:
		return true
	}
	return false
}

// writerOnly hides Conn's ReadFrom from io.CopyBuffer, which would call
// it again instead of using the buffer.
type writerOnly struct{ io.Writer }
