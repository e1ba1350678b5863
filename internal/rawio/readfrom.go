//go:build linux

package rawio

import (
	"io"
	"net"
	"os"
	"sync"
)

// ReadFrom moves a body in chunks of startChunk (io.Copy's, and so
// net.TCPConn's ReadFrom's for a source it cannot splice) until a read
// fills one: the source is then sending faster than the copy, and the
// rest moves in copyChunk ones. A request body the proxy forwards
// (net/http's transport copies it into the backend connection's
// ReadFrom) then costs about four writes per MiB, and as few reads as
// the client's socket allows, where it took 32 of each. A client that
// trickles its body, or stops, holds 32 KiB while the copy waits for it,
// as before, not 256.
const (
	startChunk = 32 << 10
	copyChunk  = 256 << 10
)

var (
	startChunks = sync.Pool{New: func() any { b := make([]byte, startChunk); return &b }}
	copyChunks  = sync.Pool{New: func() any { b := make([]byte, copyChunk); return &b }}
)

// ReadFrom copies r into the connection until r's EOF, with raw writes.
// A source the kernel can splice or send from itself (a TCP or Unix
// socket, a file, as is or under an io.LimitedReader) goes to the
// TCPConn's ReadFrom, which does that.
func (c *Conn) ReadFrom(r io.Reader) (int64, error) {
	if kernelCopies(r) {
		return c.TCPConn.ReadFrom(r)
	}
	pool := &startChunks
	bp := pool.Get().(*[]byte)
	defer func() { pool.Put(bp) }()
	var n int64
	for {
		m, rerr := r.Read(*bp)
		if m > 0 {
			w, werr := c.Write((*bp)[:m]) // all of it, or an error
			n += int64(w)
			if werr != nil {
				return n, werr
			}
			if m == len(*bp) && pool == &startChunks {
				pool.Put(bp)
				pool = &copyChunks
				bp = pool.Get().(*[]byte)
			}
		}
		switch {
		case rerr == io.EOF:
			return n, nil
		case rerr != nil:
			return n, rerr
		}
	}
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
