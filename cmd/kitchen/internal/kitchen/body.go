package kitchen

import (
	"bytes"
	"compress/gzip"
	"fmt"
	"io"
)

const (
	// defaultChunkSize is how many body bytes are written per write (and per
	// HTTP chunk when chunked), as in the original.
	defaultChunkSize = 4 << 10
	// maxResponseSize caps the generated and echoed bodies, as in the
	// original; an explicit x-kitchen-response-size may exceed it.
	maxResponseSize = 50 << 20
)

// loremIpsum is the original's filler text. Generated bodies repeat it, so a
// client can check content and not just length.
var loremIpsum = []byte("Lorem ipsum dolor sit amet, proin in nibh tellus penatibus, viverra nunc risus ligula proin ligula.")

// body is the content of a response: either data itself or data repeated
// forever (cyclic), of which the first length bytes are sent.
type body struct {
	data   []byte
	cyclic bool
	length int64
}

// fixedBody sends data, cut at maxResponseSize.
func fixedBody(data []byte) body {
	return body{data: data, length: min(int64(len(data)), maxResponseSize)}
}

// loremBody sends length bytes of repeated lorem ipsum.
func loremBody(length int64) body {
	return body{data: loremIpsum, cyclic: true, length: length}
}

// withLength applies x-kitchen-response-size. A fixed body cannot grow: the
// original then advertised more bytes than it sent, which breaks the
// response by accident; here the body is sent whole instead.
func (b body) withLength(n int64) body {
	if !b.cyclic {
		n = min(n, int64(len(b.data)))
	}
	b.length = n
	return b
}

// reader yields exactly the bytes to send.
func (b body) reader() io.Reader {
	if b.cyclic {
		return io.LimitReader(&cycleReader{pattern: b.data}, b.length)
	}
	return bytes.NewReader(b.data[:b.length])
}

// gzipped compresses the body, which is then sent (and, with
// x-kitchen-fail-after, truncated) as compressed bytes, as in the original.
func (b body) gzipped() (body, error) {
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	if _, err := io.Copy(zw, b.reader()); err != nil {
		return body{}, fmt.Errorf("kitchen: gzip body: %w", err)
	}
	if err := zw.Close(); err != nil {
		return body{}, fmt.Errorf("kitchen: gzip body: %w", err)
	}
	return body{data: buf.Bytes(), length: int64(buf.Len())}, nil
}

// cycleReader yields pattern over and over; it never ends on its own.
type cycleReader struct {
	pattern []byte
	off     int
}

func (c *cycleReader) Read(p []byte) (int, error) {
	n := 0
	for n < len(p) {
		k := copy(p[n:], c.pattern[c.off:])
		n += k
		c.off = (c.off + k) % len(c.pattern)
	}
	return n, nil
}
