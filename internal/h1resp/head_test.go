package h1resp

import (
	"errors"
	"strings"
	"testing"
)

// headCase is a head and what ParseHead makes of it: an error, or the
// framing (N is the length of the head, which the case may follow with
// body bytes).
type headCase struct {
	name   string
	in     string
	head   bool // the request was HEAD
	err    error
	n      int
	status int
	minor  int
	body   Framing
	length int64
	close  bool
}

const maxHeadForTests = 1 << 16

var validHeads = []headCase{
	{name: "length", in: "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello", n: 38, status: 200, minor: 1, body: BodyLength, length: 5},
	{name: "empty reason", in: "HTTP/1.1 200 \r\nContent-Length: 0\r\n\r\n", status: 200, minor: 1, body: BodyLength},
	{name: "no reason", in: "HTTP/1.1 404\r\nContent-Length: 0\r\n\r\n", status: 404, minor: 1, body: BodyLength},
	{name: "reason with tab and obs-text", in: "HTTP/1.1 200 O\tK \xe9\r\nContent-Length: 0\r\n\r\n", status: 200, minor: 1, body: BodyLength},
	{name: "length zero", in: "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n", status: 200, minor: 1, body: BodyLength},
	{name: "length max", in: "HTTP/1.1 200 OK\r\nContent-Length: 9223372036854775807\r\n\r\n", status: 200, minor: 1, body: BodyLength, length: 1<<63 - 1},
	{name: "length leading zeros", in: "HTTP/1.1 200 OK\r\nContent-Length: 007\r\n\r\n", status: 200, minor: 1, body: BodyLength, length: 7},
	{name: "length OWS", in: "HTTP/1.1 200 OK\r\nContent-Length:\t 5 \t\r\n\r\n", status: 200, minor: 1, body: BodyLength, length: 5},
	{name: "length repeated field", in: "HTTP/1.1 200 OK\r\nContent-Length: 5\r\ncontent-length: 5\r\n\r\n", status: 200, minor: 1, body: BodyLength, length: 5},
	{name: "length list", in: "HTTP/1.1 200 OK\r\nContent-Length: 5, 5,5\r\n\r\n", status: 200, minor: 1, body: BodyLength, length: 5},
	{name: "chunked", in: "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n", status: 200, minor: 1, body: BodyChunked},
	{name: "chunked any case", in: "HTTP/1.1 200 OK\r\ntransfer-encoding:  CHUNKED \r\n\r\n", status: 200, minor: 1, body: BodyChunked},
	{name: "until close", in: "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n\r\n", status: 200, minor: 1, body: BodyUntilClose, close: true},
	{name: "until close 1.0", in: "HTTP/1.0 200 OK\r\nConnection: keep-alive\r\n\r\n", status: 200, body: BodyUntilClose, close: true},
	{name: "connection close", in: "HTTP/1.1 200 OK\r\nConnection: upgrade, Close\r\nContent-Length: 0\r\n\r\n", status: 200, minor: 1, body: BodyLength, close: true},
	{name: "connection close second field", in: "HTTP/1.1 200 OK\r\nConnection: te\r\nConnection: ,close,\r\nContent-Length: 0\r\n\r\n", status: 200, minor: 1, body: BodyLength, close: true},
	{name: "connection not close", in: "HTTP/1.1 200 OK\r\nConnection: closed, x-close\r\nContent-Length: 0\r\n\r\n", status: 200, minor: 1, body: BodyLength},
	{name: "1.0 closes", in: "HTTP/1.0 200 OK\r\nContent-Length: 0\r\n\r\n", status: 200, body: BodyLength, close: true},
	{name: "1.0 keep-alive", in: "HTTP/1.0 200 OK\r\nConnection: Keep-Alive\r\nContent-Length: 0\r\n\r\n", status: 200, body: BodyLength},
	{name: "1.0 keep-alive and close", in: "HTTP/1.0 200 OK\r\nConnection: keep-alive, close\r\nContent-Length: 0\r\n\r\n", status: 200, body: BodyLength, close: true},
	{name: "HEAD with length", in: "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n", head: true, status: 200, minor: 1, body: BodyNone},
	{name: "HEAD with chunked", in: "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n", head: true, status: 200, minor: 1, body: BodyNone},
	{name: "HEAD without framing", in: "HTTP/1.1 200 OK\r\n\r\n", head: true, status: 200, minor: 1, body: BodyNone},
	{name: "100", in: "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\n", n: 25, status: 100, minor: 1, body: BodyNone},
	{name: "101", in: "HTTP/1.1 101 Switching Protocols\r\nConnection: upgrade\r\nUpgrade: websocket\r\n\r\n", status: 101, minor: 1, body: BodyNone},
	{name: "103 with length", in: "HTTP/1.1 103 Early Hints\r\nLink: </a>\r\nContent-Length: 3\r\n\r\n", status: 103, minor: 1, body: BodyNone},
	{name: "204", in: "HTTP/1.1 204 No Content\r\n\r\n", status: 204, minor: 1, body: BodyNone},
	{name: "204 with length", in: "HTTP/1.1 204 No Content\r\nContent-Length: 9\r\n\r\n", status: 204, minor: 1, body: BodyNone},
	{name: "304 with chunked", in: "HTTP/1.1 304 Not Modified\r\nTransfer-Encoding: chunked\r\n\r\n", status: 304, minor: 1, body: BodyNone},
	{name: "no fields", in: "HTTP/1.1 599 x\r\n\r\n", status: 599, minor: 1, body: BodyUntilClose, close: true},
	{name: "value with tab, obs-text, empty", in: "HTTP/1.1 200 OK\r\nX-A: a\tb \xff\r\nX-B:\r\nX-C: \t \r\nContent-Length: 0\r\n\r\n", status: 200, minor: 1, body: BodyLength},
}

var invalidHeads = []headCase{
	{name: "bare LF status", in: "HTTP/1.1 200 OK\n\r\n", err: ErrBareLF},
	{name: "bare LF field", in: "HTTP/1.1 200 OK\r\nA: b\n\r\n", err: ErrBareLF},
	{name: "bare LF end", in: "HTTP/1.1 200 OK\r\nA: b\r\n\n", err: ErrBareLF},
	{name: "bare LFs", in: "HTTP/1.1 200 OK\n\n", err: ErrBareLF},
	{name: "not HTTP", in: "ICY 200 OK\r\n\r\n", err: ErrStatusLine},
	{name: "not HTTP early", in: "\x15\x03\x03\x00\x02", err: ErrStatusLine},
	{name: "lower case http", in: "http/1.1 200 OK\r\n\r\n", err: ErrStatusLine},
	{name: "leading space", in: " HTTP/1.1 200 OK\r\n\r\n", err: ErrStatusLine},
	{name: "leading CRLF", in: "\r\nHTTP/1.1 200 OK\r\n\r\n", err: ErrStatusLine},
	{name: "version only", in: "HTTP/1.1\r\n\r\n", err: ErrStatusLine},
	{name: "version 2", in: "HTTP/2 200 OK\r\n\r\n", err: ErrVersion},
	{name: "version 1.2", in: "HTTP/1.2 200 OK\r\n\r\n", err: ErrVersion},
	{name: "version 1.10", in: "HTTP/1.10 200 OK\r\n\r\n", err: ErrVersion},
	{name: "version 0.9", in: "HTTP/0.9 200 OK\r\n\r\n", err: ErrVersion},
	{name: "two spaces", in: "HTTP/1.1  200 OK\r\n\r\n", err: ErrStatusLine},
	{name: "short code", in: "HTTP/1.1 20 OK\r\n\r\n", err: ErrStatusLine},
	{name: "long code", in: "HTTP/1.1 2000 OK\r\n\r\n", err: ErrStatusLine},
	{name: "code without space", in: "HTTP/1.1 200OK\r\n\r\n", err: ErrStatusLine},
	{name: "signed code", in: "HTTP/1.1 +20 OK\r\n\r\n", err: ErrStatusLine},
	{name: "hex code", in: "HTTP/1.1 2a0 OK\r\n\r\n", err: ErrStatusLine},
	{name: "code 099", in: "HTTP/1.1 099 x\r\n\r\n", err: ErrStatusCode},
	{name: "code 600", in: "HTTP/1.1 600 x\r\n\r\n", err: ErrStatusCode},
	{name: "NUL in reason", in: "HTTP/1.1 200 O\x00K\r\n\r\n", err: ErrStatusLine},
	{name: "CR in reason", in: "HTTP/1.1 200 O\rK\r\n\r\n", err: ErrStatusLine},
	{name: "obs-fold", in: "HTTP/1.1 200 OK\r\nA: b\r\n c\r\n\r\n", err: ErrObsFold},
	{name: "obs-fold tab", in: "HTTP/1.1 200 OK\r\nA: b\r\n\tc\r\n\r\n", err: ErrObsFold},
	{name: "space before first field", in: "HTTP/1.1 200 OK\r\n A: b\r\n\r\n", err: ErrObsFold},
	{name: "no colon", in: "HTTP/1.1 200 OK\r\nContent-Length 5\r\n\r\n", err: ErrFieldName},
	{name: "space before colon", in: "HTTP/1.1 200 OK\r\nContent-Length : 5\r\n\r\n", err: ErrFieldName},
	{name: "tab before colon", in: "HTTP/1.1 200 OK\r\nTransfer-Encoding\t: chunked\r\n\r\n", err: ErrFieldName},
	{name: "empty name", in: "HTTP/1.1 200 OK\r\n: x\r\n\r\n", err: ErrFieldName},
	{name: "separator in name", in: "HTTP/1.1 200 OK\r\nA(b): x\r\n\r\n", err: ErrFieldName},
	{name: "non-ASCII name", in: "HTTP/1.1 200 OK\r\nX\xc3\xa9: x\r\n\r\n", err: ErrFieldName},
	{name: "CR in value", in: "HTTP/1.1 200 OK\r\nA: b\rc\r\n\r\n", err: ErrFieldValue},
	{name: "NUL in value", in: "HTTP/1.1 200 OK\r\nA: b\x00\r\n\r\n", err: ErrFieldValue},
	{name: "DEL in value", in: "HTTP/1.1 200 OK\r\nA: \x7f\r\n\r\n", err: ErrFieldValue},
	{name: "TE list", in: "HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip, chunked\r\n\r\n", err: ErrTransferEncoding},
	{name: "TE chunked twice", in: "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked, chunked\r\n\r\n", err: ErrTransferEncoding},
	{name: "TE gzip", in: "HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\n\r\n", err: ErrTransferEncoding},
	{name: "TE identity", in: "HTTP/1.1 200 OK\r\nTransfer-Encoding: identity\r\n\r\n", err: ErrTransferEncoding},
	{name: "TE empty", in: "HTTP/1.1 200 OK\r\nTransfer-Encoding: \r\n\r\n", err: ErrTransferEncoding},
	{name: "TE two fields", in: "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n", err: ErrTransferEncoding},
	{name: "TE in 1.0", in: "HTTP/1.0 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n", err: ErrTransferEncoding},
	{name: "TE then CL", in: "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nContent-Length: 5\r\n\r\n", err: ErrTransferEncodingAndCL},
	{name: "CL then TE", in: "HTTP/1.1 200 OK\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n", err: ErrTransferEncodingAndCL},
	{name: "TE and CL for HEAD", in: "HTTP/1.1 200 OK\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n", head: true, err: ErrTransferEncodingAndCL},
	{name: "TE and CL in 304", in: "HTTP/1.1 304 Not Modified\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n", err: ErrTransferEncodingAndCL},
	{name: "CL negative", in: "HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n", err: ErrContentLength},
	{name: "CL plus", in: "HTTP/1.1 200 OK\r\nContent-Length: +5\r\n\r\n", err: ErrContentLength},
	{name: "CL space inside", in: "HTTP/1.1 200 OK\r\nContent-Length: 5 5\r\n\r\n", err: ErrContentLength},
	{name: "CL hex", in: "HTTP/1.1 200 OK\r\nContent-Length: 0x5\r\n\r\n", err: ErrContentLength},
	{name: "CL empty", in: "HTTP/1.1 200 OK\r\nContent-Length: \r\n\r\n", err: ErrContentLength},
	{name: "CL empty element", in: "HTTP/1.1 200 OK\r\nContent-Length: 5,\r\n\r\n", err: ErrContentLength},
	{name: "CL overflow", in: "HTTP/1.1 200 OK\r\nContent-Length: 9223372036854775808\r\n\r\n", err: ErrContentLength},
	{name: "CL invalid in 204", in: "HTTP/1.1 204 No Content\r\nContent-Length: x\r\n\r\n", err: ErrContentLength},
	{name: "CL invalid for HEAD", in: "HTTP/1.1 200 OK\r\nContent-Length: x\r\n\r\n", head: true, err: ErrContentLength},
	{name: "CL list differs", in: "HTTP/1.1 200 OK\r\nContent-Length: 5, 6\r\n\r\n", err: ErrContentLengthMismatch},
	{name: "CL fields differ", in: "HTTP/1.1 200 OK\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\n", err: ErrContentLengthMismatch},
	{name: "CL fields differ in text", in: "HTTP/1.1 200 OK\r\nContent-Length: 5\r\nContent-Length: 05\r\n\r\n", err: ErrContentLengthMismatch},
	{name: "CL second invalid", in: "HTTP/1.1 200 OK\r\nContent-Length: 5\r\nContent-Length: 5x\r\n\r\n", err: ErrContentLength},
}

func TestParseHead(t *testing.T) {
	for _, tc := range append(validHeads[:len(validHeads):len(validHeads)], invalidHeads...) {
		t.Run(tc.name, func(t *testing.T) {
			h, ok, err := ParseHead([]byte(tc.in), tc.head, nil, maxHeadForTests)
			if tc.err != nil {
				if ok || !errors.Is(err, tc.err) {
					t.Fatalf("ParseHead(%q) = ok %v, %v; want error %v", tc.in, ok, err, tc.err)
				}
				return
			}
			if !ok || err != nil {
				t.Fatalf("ParseHead(%q) = ok %v, %v", tc.in, ok, err)
			}
			n := tc.n
			if n == 0 {
				n = len(tc.in)
			}
			got := headCase{n: h.N, status: h.Status, minor: h.Minor, body: h.Body, length: h.Length, close: h.Close}
			want := headCase{n: n, status: tc.status, minor: tc.minor, body: tc.body, length: tc.length, close: tc.close}
			if got != want {
				t.Fatalf("ParseHead(%q) =\n %+v, want\n %+v", tc.in, got, want)
			}
		})
	}
}

// Until its last byte, a head is incomplete (or, when it is invalid,
// refused with the same error as whole, once the line at fault is in).
func TestParseHeadPrefixes(t *testing.T) {
	for _, tc := range append(validHeads[:len(validHeads):len(validHeads)], invalidHeads...) {
		whole, _, wantErr := ParseHead([]byte(tc.in), tc.head, nil, maxHeadForTests)
		end := whole.N
		if wantErr != nil {
			end = len(tc.in)
		}
		for i := range end {
			_, ok, err := ParseHead([]byte(tc.in[:i]), tc.head, nil, maxHeadForTests)
			if ok || err != nil && err != wantErr {
				t.Errorf("%s: ParseHead(%q) = ok %v, %v; want incomplete or %v", tc.name, tc.in[:i], ok, err, wantErr)
			}
		}
	}
}

func TestParseHeadFields(t *testing.T) {
	in := "HTTP/1.1 200 OK\r\nContent-Type: text/plain \r\nX-Empty:\r\nx-tab:\ta\tb\t\r\nContent-Length: 0\r\n\r\n"
	storage := make([]Field, 1, 8)
	h, ok, err := ParseHead([]byte(in), false, storage, maxHeadForTests)
	if !ok || err != nil {
		t.Fatalf("ParseHead: ok %v, %v", ok, err)
	}
	want := []string{"Content-Type", "text/plain", "X-Empty", "", "x-tab", "a\tb", "Content-Length", "0"}
	var got []string
	for _, f := range h.Fields {
		got = append(got, string(f.Name), string(f.Value))
	}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Fatalf("fields %q, want %q", got, want)
	}
	if &h.Fields[0] != &storage[:1][0] {
		t.Error("the fields storage passed in was not reused")
	}
}

func TestParseHeadMax(t *testing.T) {
	in := "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n" // 38 bytes
	for _, tc := range []struct {
		in      string
		max     int
		ok      bool
		tooLong bool
	}{
		{in, len(in), true, false},
		{in + "HTTP/1.1", len(in), true, false},
		{in, len(in) - 1, false, true},
		{in[:len(in)-1], len(in) - 1, false, true}, // incomplete at the limit: cannot end within it
		{in[:len(in)-1], len(in), false, false},    // incomplete, may still end within it
		{in, 0, false, true},
		{in, -1, false, true},
	} {
		_, ok, err := ParseHead([]byte(tc.in), false, nil, tc.max)
		if ok != tc.ok || (err == ErrHeadTooLarge) != tc.tooLong || err != nil && err != ErrHeadTooLarge {
			t.Errorf("ParseHead(%q, max %d) = ok %v, %v; want ok %v, too long %v", tc.in, tc.max, ok, err, tc.ok, tc.tooLong)
		}
	}
}

// In the steady state (the fields storage passed back) a head is parsed
// without allocating.
func TestParseHeadAllocs(t *testing.T) {
	buf := []byte(typicalHead)
	var fields []Field
	allocs := testing.AllocsPerRun(100, func() {
		h, ok, err := ParseHead(buf, false, fields, maxHeadForTests)
		if !ok || err != nil {
			t.Fatalf("ParseHead: ok %v, %v", ok, err)
		}
		fields = h.Fields
	})
	if allocs != 0 {
		t.Fatalf("%v allocations per head", allocs)
	}
}

// typicalHead is a backend's answer with six fields.
const typicalHead = "HTTP/1.1 200 OK\r\n" +
	"Date: Mon, 27 Jul 2026 12:28:53 GMT\r\n" +
	"Server: backend/1.4\r\n" +
	"Content-Type: application/json; charset=utf-8\r\n" +
	"Cache-Control: no-store\r\n" +
	"Connection: keep-alive\r\n" +
	"Content-Length: 1234\r\n" +
	"\r\n"
