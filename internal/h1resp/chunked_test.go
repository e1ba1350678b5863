package h1resp

import (
	"errors"
	"strings"
	"testing"
)

// chunkCase is a chunked body (maybe followed by the next response's
// bytes) and what Chunked makes of it.
type chunkCase struct {
	name string
	in   string
	n    int    // bytes of the body; 0: all of in
	data uint64 // data bytes in its chunks
	done bool
	err  error
}

const next = "HTTP/1.1 200 OK\r\n" // the next response on the connection

var chunkCases = []chunkCase{
	{name: "empty body", in: "0\r\n\r\n", done: true},
	{name: "one chunk", in: "5\r\nhello\r\n0\r\n\r\n", data: 5, done: true},
	{name: "next response after", in: "5\r\nhello\r\n0\r\n\r\n" + next, n: 15, data: 5, done: true},
	{name: "chunks", in: "5\r\nhello\r\n1\r\n \r\n5\r\nworld\r\n0\r\n\r\n", data: 11, done: true},
	{name: "hex", in: "a\r\n0123456789\r\nA\r\n0123456789\r\n10\r\n0123456789abcdef\r\n0\r\n\r\n", data: 36, done: true},
	{name: "leading zeros", in: "0005\r\nhello\r\n000\r\n\r\n", data: 5, done: true},
	{name: "16 digits", in: "0000000000000005\r\nhello\r\n0000000000000000\r\n\r\n", data: 5, done: true},
	{name: "data with CRLF", in: "4\r\n\r\n\r\n\r\n0\r\n\r\n", data: 4, done: true},
	{name: "extension", in: "5;name=value\r\nhello\r\n0;last\r\n\r\n", data: 5, done: true},
	{name: "extensions quoted", in: "5;a=\"x;y\\\"z\";b\t=\tc\r\nhello\r\n0\r\n\r\n", data: 5, done: true},
	{name: "empty extension", in: "5;\r\nhello\r\n0\r\n\r\n", data: 5, done: true},
	{name: "extension obs-text", in: "5;a=\xe9\r\nhello\r\n0\r\n\r\n", data: 5, done: true},
	{name: "trailer", in: "5\r\nhello\r\n0\r\nX-Checksum: abc\r\nX-Empty:\r\nx:\tb c\xff\r\n\r\n" + next, n: 51, data: 5, done: true},
	{name: "longest size line", in: "5;" + strings.Repeat("a", maxChunkLine-4) + "\r\nhello\r\n0\r\n\r\n", data: 5, done: true},

	{name: "incomplete size", in: "5", n: 1},
	{name: "incomplete data", in: "5\r\nhel", n: 6, data: 3},
	{name: "incomplete after last chunk", in: "0\r\n", n: 3},
	{name: "incomplete final CR", in: "0\r\n\r", n: 4},
	{name: "incomplete trailer", in: "0\r\nX: y\r\n", n: 9},
	{name: "incomplete huge chunk", in: "ffffffffffffffff\r\nabc", n: 21, data: 3},

	{name: "no size", in: "\r\n", n: 0, err: ErrChunkSize},
	{name: "size not hex", in: "g\r\n", n: 0, err: ErrChunkSize},
	{name: "size 0x", in: "0x5\r\nhello\r\n", n: 1, err: ErrChunkSize},
	{name: "size signed", in: "-5\r\n", n: 0, err: ErrChunkSize},
	{name: "space before size", in: " 5\r\n", n: 0, err: ErrChunkSize},
	{name: "space after size", in: "5 \r\nhello\r\n", n: 1, err: ErrChunkSize},
	{name: "space inside size", in: "5 5\r\n", n: 1, err: ErrChunkSize},
	{name: "space before extension", in: "5 ;a\r\nhello\r\n", n: 1, err: ErrChunkSize},
	{name: "extension without size", in: ";a\r\n", n: 0, err: ErrChunkSize},
	{name: "17 digits", in: "00000000000000005\r\nhello\r\n", n: 16, err: ErrChunkSize},
	{name: "17 digits overflowing", in: "10000000000000000\r\n", n: 16, err: ErrChunkSize},
	{name: "bare LF after size", in: "5\nhello\r\n", n: 1, err: ErrBareLF},
	{name: "bare LF in extension", in: "5;a\nhello\r\n", n: 3, err: ErrBareLF},
	{name: "CR alone after size", in: "5\rhello\r\n", n: 2, err: ErrBareCR},
	{name: "CR in extension", in: "5;a\rb\r\nhello\r\n", n: 4, err: ErrBareCR},
	{name: "NUL in extension", in: "5;a\x00\r\nhello\r\n", n: 3, err: ErrChunkExtension},
	{name: "DEL in extension", in: "5;\x7f\r\n", n: 2, err: ErrChunkExtension},
	{name: "size line too long", in: "5;" + strings.Repeat("a", maxChunkLine-3) + "\r\nhello\r\n", n: maxChunkLine - 1, err: ErrChunkLineTooLong},
	{name: "data too long", in: "5\r\nhelloX\r\n", n: 8, data: 5, err: ErrChunkDataNotCRLF},
	{name: "data too short", in: "5\r\nhell\r\n0\r\n\r\n", n: 8, data: 5, err: ErrChunkDataNotCRLF},
	{name: "data then LF", in: "5\r\nhello\n0\r\n\r\n", n: 8, data: 5, err: ErrChunkDataNotCRLF},
	{name: "data then CR", in: "5\r\nhello\r0\r\n\r\n", n: 9, data: 5, err: ErrChunkDataNotCRLF},
	{name: "bare LF ending body", in: "0\r\n\n", n: 3, err: ErrBareLF},
	{name: "CR alone ending body", in: "0\r\n\rX", n: 4, err: ErrBareCR},
	{name: "trailer obs-fold", in: "0\r\nX: y\r\n z\r\n\r\n", n: 9, err: ErrObsFold},
	{name: "trailer leading space", in: "0\r\n X: y\r\n\r\n", n: 3, err: ErrObsFold},
	{name: "trailer no colon", in: "0\r\nX-Checksum\r\n\r\n", n: 13, err: ErrFieldName},
	{name: "trailer space before colon", in: "0\r\nX : y\r\n\r\n", n: 4, err: ErrFieldName},
	{name: "trailer empty name", in: "0\r\n: y\r\n\r\n", n: 3, err: ErrFieldName},
	{name: "trailer bad name", in: "0\r\nX@: y\r\n\r\n", n: 4, err: ErrFieldName},
	{name: "trailer NUL in value", in: "0\r\nX: \x00\r\n\r\n", n: 6, err: ErrFieldValue},
	{name: "trailer bare LF", in: "0\r\nX: y\n\r\n", n: 7, err: ErrBareLF},
	{name: "trailer CR alone", in: "0\r\nX: y\rz\r\n\r\n", n: 8, err: ErrBareCR},
}

type scanResult struct {
	n    int
	done bool
	err  error
	data uint64
}

// scanIn scans in, fed in pieces of the given sizes (the last piece
// takes the rest), as an event loop would: each call gets the bytes from
// where the previous one stopped, and the scan stops at the body's end
// or an error.
func scanIn(in []byte, sizes ...int) scanResult {
	var c Chunked
	var r scanResult
	for len(in) > 0 || len(sizes) > 0 {
		p := in
		if len(sizes) > 0 {
			p, sizes = in[:min(sizes[0], len(in))], sizes[1:]
		}
		n, done, err := c.Scan(p)
		r.n += n
		in = in[n:]
		if done || err != nil {
			r.done, r.err = done, err
			break
		}
	}
	r.data = c.data
	return r
}

// scanBytes scans in a byte at a time.
func scanBytes(in []byte) scanResult {
	sizes := make([]int, len(in))
	for i := range sizes {
		sizes[i] = 1
	}
	return scanIn(in, sizes...)
}

func TestChunked(t *testing.T) {
	for _, tc := range chunkCases {
		t.Run(tc.name, func(t *testing.T) {
			want := scanResult{n: tc.n, done: tc.done, err: tc.err, data: tc.data}
			if want.n == 0 && want.err == nil {
				want.n = len(tc.in)
			}
			got := scanIn([]byte(tc.in))
			if got.err != nil && errors.Is(got.err, tc.err) {
				got.err = tc.err // a refinement of the error wanted
			}
			if got != want {
				t.Fatalf("Scan(%q) = %+v, want %+v", tc.in, got, want)
			}
		})
	}
}

// A body split anywhere, or fed a byte at a time, scans as it does whole.
func TestChunkedSplits(t *testing.T) {
	for _, tc := range chunkCases {
		in := []byte(tc.in)
		whole := scanIn(in)
		for i := range len(in) + 1 {
			if got := scanIn(in, i); got != whole {
				t.Errorf("%s: split at %d: %+v, whole: %+v", tc.name, i, got, whole)
			}
			if got := scanIn(in, i, 1, 2); got != whole {
				t.Errorf("%s: split at %d, %d and %d: %+v, whole: %+v", tc.name, i, i+1, i+3, got, whole)
			}
		}
		if got := scanBytes(in); got != whole {
			t.Errorf("%s: byte by byte: %+v, whole: %+v", tc.name, got, whole)
		}
	}
}

// Once done, or stopped by an error, a scan stays so.
func TestChunkedEnds(t *testing.T) {
	var c Chunked
	if n, done, err := c.Scan([]byte("0\r\n\r\n" + next)); n != 5 || !done || err != nil {
		t.Fatalf("Scan = %d, %v, %v", n, done, err)
	}
	if n, done, err := c.Scan([]byte(next)); n != 0 || !done || err != nil {
		t.Fatalf("Scan after done = %d, %v, %v", n, done, err)
	}
	c = Chunked{}
	if _, _, err := c.Scan([]byte("5\r\nhelloXX")); err != ErrChunkDataNotCRLF {
		t.Fatalf("Scan = %v", err)
	}
	if n, done, err := c.Scan([]byte("\r\n0\r\n\r\n")); n != 0 || done || err != ErrChunkDataNotCRLF {
		t.Fatalf("Scan after an error = %d, %v, %v", n, done, err)
	}
	if n, done, err := (&Chunked{}).Scan(nil); n != 0 || done || err != nil {
		t.Fatalf("Scan(nil) = %d, %v, %v", n, done, err)
	}
}

func TestChunkedAllocs(t *testing.T) {
	in := []byte("5;a=b\r\nhello\r\n10\r\n0123456789abcdef\r\n0\r\nX: y\r\n\r\n")
	allocs := testing.AllocsPerRun(100, func() {
		var c Chunked
		for i := range in {
			c.Scan(in[i : i+1])
		}
	})
	if allocs != 0 {
		t.Fatalf("%v allocations per body", allocs)
	}
}
