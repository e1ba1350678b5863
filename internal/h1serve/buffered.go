package h1serve

import (
	"bufio"
	"net/http"
	"sync"
)

// Buffered frames an answer exactly as the server frames a handler's
// (Date, Content-Length or chunked encoding, a sniffed Content-Type,
// Connection: close), into a byte slice instead of a connection: for a
// front that writes its connections itself (the router's event loop,
// cmd/waiter/internal/serve), which must answer as this server would.
// One Buffered serves the answers of one connection, one at a time.
type Buffered struct {
	resp response
	bw   *bufio.Writer
	out  sliceWriter
	outp *[]byte // out's pooled slice (bufferedOuts)
}

// sliceWriter appends what is written to a slice.
type sliceWriter struct{ b []byte }

func (s *sliceWriter) Write(p []byte) (int, error) {
	s.b = append(s.b, p...)
	return len(p), nil
}

// bufferedWriters and bufferedOuts are Buffered's writer and output
// while an answer is framed: an idle connection of the event loops
// holds neither (about 4 KB and the size of its last answer).
var (
	bufferedWriters = sync.Pool{New: func() any { return bufio.NewWriterSize(nil, 4<<10) }}
	bufferedOuts    = sync.Pool{New: func() any { b := make([]byte, 0, 4<<10); return &b }}
)

// maxKeptOut is the largest output buffer given back for reuse.
const maxKeptOut = 64 << 10

// Reset readies b for the answer to req, which is framed for req (its
// method, Connection: close); it drops what b held.
func (b *Buffered) Reset(req *http.Request) {
	if b.bw == nil {
		b.bw = bufferedWriters.Get().(*bufio.Writer)
		b.outp = bufferedOuts.Get().(*[]byte)
		b.out.b = (*b.outp)[:0]
	}
	b.out.b = b.out.b[:0]
	b.bw.Reset(&b.out)
	b.resp.reset(nil, b.bw, req)
}

// Writer is the http.ResponseWriter (with Flush and the response
// controller's deadlines, which do nothing here) the answer is written to.
func (b *Buffered) Writer() http.ResponseWriter { return &b.resp }

// Take returns the bytes framed so far (flushing what the writer holds;
// the header once committed: Flush commits it) and empties b's output
// for the next ones. The slice is b's until the next call of b.
func (b *Buffered) Take() []byte {
	_ = b.bw.Flush()
	out := b.out.b
	b.out.b = out[:0]
	return out
}

// Finish ends the answer, as the server does after its handler returns,
// and returns what is left of its bytes (Take) and whether the
// connection must close after it.
func (b *Buffered) Finish() (out []byte, closeAfter bool) {
	b.resp.finish()
	return b.Take(), b.resp.closeAfter
}

// Done ends the answer: its header values go (they may hold shared
// chunks, internal/strarena), but b keeps its writer and output buffer
// for its next Reset, where Release gives them back to the pools: for a
// front that serves one request after another with the same Buffered
// (each pool round trip cost about as much as framing a short head). A
// grown output buffer is given back all the same.
func (b *Buffered) Done() {
	if b.bw != nil && cap(b.out.b) > maxKeptOut {
		b.Release()
		return
	}
	b.resp.release()
	b.out.b = b.out.b[:0]
}

// Release drops the answer's pooled buffers and header values; b may be
// Reset again.
func (b *Buffered) Release() {
	b.resp.release()
	if b.bw == nil {
		return
	}
	b.bw.Reset(nil)
	bufferedWriters.Put(b.bw)
	if out := b.out.b[:0]; cap(out) <= maxKeptOut {
		*b.outp = out // the grown slice, if it grew
		bufferedOuts.Put(b.outp)
	}
	b.bw, b.out.b, b.outp = nil, nil, nil
}
