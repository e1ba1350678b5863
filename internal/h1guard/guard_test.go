package h1guard

import (
	"bufio"
	"bytes"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"
)

// run passes in through a Guard in reads of step bytes and returns what
// the reader sees.
func run(in []byte, step int) []byte {
	var g Guard
	var out []byte
	buf := make([]byte, max(step, 64))
	for len(in) > 0 || len(g.pending) > 0 {
		if len(g.pending) > 0 {
			n, end := g.Filter(buf, 0)
			out = append(out, buf[:n]...)
			if end {
				break
			}
			continue
		}
		k := copy(buf[:step], in)
		in = in[k:]
		n, end := g.Filter(buf, k)
		out = append(out, buf[:n]...)
		if end {
			break
		}
	}
	return out
}

const wellFormed = "GET /a HTTP/1.1\r\nHost: x\r\n\r\n" +
	"POST /b HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhello" +
	"POST /c HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n5;ext=1\r\nhello\r\n0\r\nX-Trailer: t\r\n\r\n" +
	"\r\nGET /d HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n" +
	"GET /ws HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n\x00\xff binary frames \r\n Content-Length: 1\r\n"

func TestWellFormedPassesUnchanged(t *testing.T) {
	for step := 1; step <= len(wellFormed); step++ {
		if got := run([]byte(wellFormed), step); string(got) != wellFormed {
			t.Fatalf("reads of %d bytes: got %q", step, got)
		}
	}
}

func TestHTTP2PrefacePassesUnchanged(t *testing.T) {
	in := "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n\x00\x00\x12\x04 Content-Length: 1\r\nTransfer-Encoding: chunked\r\n"
	if got := run([]byte(in), 7); string(got) != in {
		t.Fatalf("got %q", got)
	}
}

// smuggling are heads the guard refuses, each followed by a hidden
// request.
var smuggling = map[string]string{
	"CL then TE":        "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
	"TE then CL":        "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nContent-Length: 4\r\n\r\n0\r\n\r\n",
	"duplicate CL":      "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 4\r\nContent-Length: 4\r\n\r\nabcd",
	"obs-fold":          "POST / HTTP/1.1\r\nHost: x\r\nX-A: a\r\n b\r\nContent-Length: 4\r\n\r\nabcd",
	"obs-fold tab TE":   "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding:\r\n\tchunked\r\n\r\n0\r\n\r\n",
	"TE on HTTP/1.0":    "POST / HTTP/1.0\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
	"after a good one":  "GET /ok HTTP/1.1\r\nHost: x\r\n\r\nPOST / HTTP/1.1\r\nHost: x\r\nContent-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
	"CL TE mixed cases": "POST / HTTP/1.1\r\nHost: x\r\ncontent-LENGTH: 4\r\ntransfer-encoding: chunked\r\n\r\n0\r\n\r\n",
}

const hidden = "GET /smuggled HTTP/1.1\r\nHost: x\r\n\r\n"

func TestSmugglingRefused(t *testing.T) {
	for name, head := range smuggling {
		for _, step := range []int{1, 3, 64, 4096} {
			got := string(run([]byte(head+hidden), step))
			if !strings.HasSuffix(got, string(refusal)) || strings.Contains(got, "/smuggled") {
				t.Errorf("%s, reads of %d: got %q, want it cut and ended with the refusal", name, step, got)
			}
		}
	}
}

func TestBadChunkFramingEndsTheStream(t *testing.T) {
	for _, body := range []string{"zz\r\nabcd\r\n0\r\n\r\n", "fffffffffffffffff1\r\nabcd\r\n0\r\n\r\n", "4\r\nabcdXY0\r\n\r\n", ";\r\n"} {
		in := "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n" + body + hidden
		if got := string(run([]byte(in), 5)); strings.Contains(got, "/smuggled") {
			t.Errorf("body %q: the hidden request passed: %q", body, got)
		}
	}
}

// TestNetHTTPAnswers400 serves a guarded listener with net/http and
// checks the answer each smuggling shape gets, and that the hidden
// request is never served.
func TestNetHTTPAnswers400(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	served := make(chan string, 64)
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		served <- r.URL.Path
	}), ReadHeaderTimeout: 5 * time.Second}
	go func() { _ = srv.Serve(Listen(ln)) }()
	t.Cleanup(func() { _ = srv.Close() })

	for name, head := range smuggling {
		c, err := net.Dial("tcp", ln.Addr().String())
		if err != nil {
			t.Fatal(err)
		}
		_ = c.SetDeadline(time.Now().Add(5 * time.Second))
		_, _ = io.WriteString(c, head+hidden)
		br := bufio.NewReader(c)
		var statuses []int
		for {
			resp, err := http.ReadResponse(br, nil)
			if err != nil {
				break
			}
			_, _ = io.Copy(io.Discard, resp.Body)
			statuses = append(statuses, resp.StatusCode)
		}
		_ = c.Close()
		if len(statuses) == 0 || statuses[len(statuses)-1] != http.StatusBadRequest {
			t.Errorf("%s: answers %v, want the last to be 400", name, statuses)
		}
	drain:
		for {
			select {
			case p := <-served:
				if p == "/smuggled" {
					t.Errorf("%s: the hidden request was served", name)
				}
			default:
				break drain
			}
		}
	}
}

// FuzzGuard: for any input and read size, the guard never panics, and
// what it passes is the input itself, or a prefix of it ended by the
// refusal (or by the end of the stream).
func FuzzGuard(f *testing.F) {
	f.Add([]byte(wellFormed), 3)
	for _, s := range smuggling {
		f.Add([]byte(s+hidden), 1)
	}
	f.Add([]byte("POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nfffffffffffffff\r\n"), 4)
	f.Fuzz(func(t *testing.T, in []byte, step int) {
		if step <= 0 || step > 1<<16 {
			step = 1 + (step&0xffff)%4096
			if step <= 0 {
				step = 1
			}
		}
		got := run(in, step)
		switch {
		case bytes.Equal(got, in):
		case bytes.HasPrefix(in, got):
		case bytes.HasSuffix(got, refusal) && bytes.HasPrefix(in, got[:len(got)-len(refusal)]):
		default:
			t.Fatalf("output is neither the input, a prefix, nor a prefix plus the refusal:\nin  %q\nout %q", in, got)
		}
		// The same input in one read gives the same result.
		if one := run(in, len(in)+len(refusal)+1); !bytes.Equal(one, got) {
			t.Fatalf("depends on read sizes: %q (reads of %d) vs %q (one read)", got, step, one)
		}
	})
}
