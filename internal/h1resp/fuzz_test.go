package h1resp

import (
	"bufio"
	"bytes"
	"io"
	"net/http"
	"net/http/httputil"
	"net/textproto"
	"slices"
	"strings"
	"testing"
)

// FuzzParseHead holds ParseHead to net/http's reading of the heads it
// accepts: net/http takes the same bytes as the head and agrees on the
// status, the framing of the body and whether the connection closes,
// and sees the same fields. A head ParseHead calls incomplete net/http
// may take only by taking the end of the input as the head's.
func FuzzParseHead(f *testing.F) {
	for _, tc := range append(validHeads[:len(validHeads):len(validHeads)], invalidHeads...) {
		f.Add([]byte(tc.in), tc.head)
	}
	f.Add([]byte(typicalHead), false)
	f.Add([]byte("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r"), false)
	f.Add([]byte("HTTP/1.1 200 OK\r\nContent-Length: 5\r\nPragma: no-cache\r\n\r\n"), false)
	f.Add([]byte("HTTP/1.1 200 OK\r\nConnection: close\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n"), false)
	f.Add([]byte("HTTP/1.0 304 Not Modified\r\nContent-Length: 5\r\n\r\n"), true)
	f.Add([]byte("HTTP/1.0 204 x\r\nConnection: keep-alive\r\nContent-Length: 007\r\nContent-Length: 007\r\n\r\n"), false)
	f.Add([]byte("HTTP/1.1 200 OK\r\n!#$%&'*+-.^_`|~09azAZ: \x80\t\xff\r\nA: 1\r\na: 2\r\n\r\n"), false)
	f.Fuzz(checkHead)
}

// The framing fields, in twos, after various status lines, hold to
// net/http's reading as FuzzParseHead does.
func TestParseHeadAsNetHTTP(t *testing.T) {
	statuses := []string{"HTTP/1.1 200 OK", "HTTP/1.0 200 OK", "HTTP/1.1 204 ", "HTTP/1.0 304", "HTTP/1.1 101 x", "HTTP/1.1 100 x", "HTTP/1.1 599 x"}
	fields := []string{"", "Content-Length: 5", "Content-Length: 0", "Content-Length: 05", "content-length:5 ",
		"Content-Length: x", "Content-Length: 5, 5", "Transfer-Encoding: chunked", "transfer-encoding: Chunked",
		"Transfer-Encoding: gzip", "Connection: close", "Connection: keep-alive", "Connection: Keep-Alive, close",
		"Connection: x", "Pragma: no-cache", "Cache-Control: max-age=1"}
	for _, s := range statuses {
		for _, f1 := range fields {
			for _, f2 := range fields {
				in := s + "\r\n"
				for _, fl := range []string{f1, f2} {
					if fl != "" {
						in += fl + "\r\n"
					}
				}
				in += "\r\nbody"
				for _, head := range []bool{false, true} {
					t.Run("", func(t *testing.T) { checkHead(t, []byte(in), head) })
				}
			}
		}
	}
}

// checkHead is FuzzParseHead's check of one head.
func checkHead(t *testing.T, in []byte, headRequest bool) {
	h, ok, err := ParseHead(in, headRequest, nil, len(in)+1)
	if ok && err != nil {
		t.Fatalf("ok with error %v", err)
	}
	req := &http.Request{Method: "GET"}
	if headRequest {
		req.Method = "HEAD"
	}
	rd := bytes.NewReader(in)
	br := bufio.NewReader(rd)
	resp, herr := http.ReadResponse(br, req)
	consumed := len(in) - br.Buffered() - rd.Len()
	if !ok {
		if err == nil && herr == nil && consumed != len(in) {
			t.Fatalf("incomplete, but net/http read a head of %d bytes out of %d", consumed, len(in))
		}
		return
	}
	for _, fl := range h.Fields {
		if equalFold(fl.Name, "content-length") && bytes.IndexByte(fl.Value, ',') >= 0 {
			return // a list of equal lengths, which net/http refuses
		}
	}
	if herr != nil {
		t.Fatalf("net/http refuses it: %v\nhead: %+v", herr, h)
	}
	if consumed != h.N {
		t.Errorf("net/http read a head of %d bytes, ParseHead %d", consumed, h.N)
	}
	if resp.StatusCode != h.Status || resp.ProtoMinor != h.Minor || resp.Close != h.Close {
		t.Errorf("net/http: status %d, HTTP/1.%d, close %v; ParseHead: %d, HTTP/1.%d, close %v",
			resp.StatusCode, resp.ProtoMinor, resp.Close, h.Status, h.Minor, h.Close)
	}
	chunked := slices.Equal(resp.TransferEncoding, []string{"chunked"})
	noBody := resp.Body == http.NoBody
	var agree bool
	switch h.Body {
	case BodyNone:
		agree = noBody
	case BodyLength:
		agree = !chunked && resp.ContentLength == h.Length && (noBody == (h.Length == 0))
	case BodyChunked:
		agree = chunked && resp.ContentLength == -1 && !noBody
	case BodyUntilClose:
		agree = !chunked && resp.ContentLength == -1 && !noBody && resp.Close
	}
	if !agree {
		t.Errorf("framing %v, length %d; net/http: chunked %v, length %d, no body %v",
			h.Body, h.Length, chunked, resp.ContentLength, noBody)
	}
	compareFields(t, h.Fields, resp.Header)
}

// compareFields compares the fields with net/http's header map, but for
// those net/http rewrites as it reads them.
func compareFields(t *testing.T, fields []Field, hdr http.Header) {
	t.Helper()
	rewritten := map[string]bool{"Content-Length": true, "Transfer-Encoding": true, "Connection": true}
	if _, ok := hdr["Pragma"]; ok {
		rewritten["Cache-Control"] = true
	}
	mine := http.Header{}
	for _, fl := range fields {
		k := textproto.CanonicalMIMEHeaderKey(string(fl.Name))
		mine[k] = append(mine[k], string(fl.Value))
	}
	for k := range rewritten {
		delete(mine, k)
		delete(hdr, k)
	}
	for k, v := range mine {
		if !slices.Equal(v, hdr[k]) {
			t.Errorf("field %s: %q; net/http: %q", k, v, hdr[k])
		}
	}
	for k := range hdr {
		if _, ok := mine[k]; !ok {
			t.Errorf("net/http has a field %s ParseHead has not", k)
		}
	}
}

// FuzzChunked: fed whole, a byte at a time or split in two, a body scans
// the same; a body Chunked accepts, net/http reads to the same end with
// the same data length (httputil's chunked reader too); one it calls
// incomplete, net/http cannot read to its end either.
func FuzzChunked(f *testing.F) {
	for _, tc := range chunkCases {
		f.Add([]byte(tc.in), uint16(len(tc.in)/2))
	}
	f.Add([]byte("1;"+strings.Repeat("x", 4000)+"\r\nX\r\n1;"+strings.Repeat("x", 4000)+"\r\nX\r\n0\r\n\r\n"), uint16(3))
	f.Add([]byte("5\r\nhello\r\n0\r\nTrailer: a\r\n\r\n0\r\n\r\n"), uint16(7))
	f.Fuzz(func(t *testing.T, in []byte, split uint16) {
		whole := scanIn(in)
		if got := scanBytes(in); got != whole {
			t.Fatalf("byte by byte: %+v, whole: %+v", got, whole)
		}
		if got := scanIn(in, int(split)); got != whole {
			t.Fatalf("split at %d: %+v, whole: %+v", split, got, whole)
		}
		if whole.err != nil {
			return
		}
		const head = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
		full := append([]byte(head), in...)
		rd := bytes.NewReader(full)
		br := bufio.NewReaderSize(rd, 1<<20) // net/http bounds a trailer by its buffer; Chunked does not
		resp, err := http.ReadResponse(br, nil)
		if err != nil {
			t.Fatalf("ReadResponse: %v", err)
		}
		body, rerr := io.ReadAll(resp.Body)
		if !whole.done {
			if rerr == nil {
				t.Fatalf("incomplete, but net/http read a body of %d bytes", len(full)-len(head)-br.Buffered()-rd.Len())
			}
			return
		}
		if rerr != nil && strings.Contains(rerr.Error(), "too much non-data") {
			return // net/http bounds extensions' share of the body; Chunked, which does not decode, need not
		}
		if rerr != nil {
			t.Fatalf("net/http refuses it: %v", rerr)
		}
		if consumed := len(full) - len(head) - br.Buffered() - rd.Len(); consumed != whole.n || uint64(len(body)) != whole.data {
			t.Fatalf("net/http read %d bytes with %d of data; Chunked: %d with %d", consumed, len(body), whole.n, whole.data)
		}
		data, err := io.ReadAll(httputil.NewChunkedReader(bytes.NewReader(in[:whole.n])))
		if err != nil || uint64(len(data)) != whole.data {
			t.Fatalf("httputil: %d bytes of data, %v; Chunked: %d", len(data), err, whole.data)
		}
	})
}
