package h1guard

import (
	"bytes"
	"errors"
	"io"
	"net"
	"os"
	"strings"
	"testing"

	"pgregory.net/rapid"
)

// chunkConn is a net.Conn whose reads return the stream in the given
// sizes, then io.EOF.
type chunkConn struct {
	net.Conn
	data  []byte
	sizes []int
}

func (c *chunkConn) Read(p []byte) (int, error) {
	if len(c.data) == 0 {
		return 0, io.EOF
	}
	n := len(c.data)
	if len(c.sizes) > 0 {
		n = max(1, min(n, c.sizes[0]))
		c.sizes = c.sizes[1:]
	}
	n = copy(p, c.data[:n])
	c.data = c.data[n:]
	return n, nil
}

// readSplit reads s to its end in reads of step bytes.
func readSplit(s *Split, step int) ([]byte, error) {
	var out []byte
	buf := make([]byte, step)
	for {
		n, err := s.Read(buf)
		out = append(out, buf[:n]...)
		if err != nil {
			return out, err
		}
	}
}

// fastRoute takes heads whose target starts with /fast.
func fastRoute(h *Head) bool {
	t, ok := h.Target()
	_, one := h.Host()
	return ok && one && h.Plain(1<<10) && bytes.HasPrefix(t, []byte("/fast"))
}

var splitRequests = []string{
	"GET /fast/a HTTP/1.1\r\nHost: h\r\n\r\n",
	"POST /fast/b HTTP/1.1\r\nHost: h\r\nContent-Length: 5\r\n\r\nhello",
	"GET /api HTTP/1.1\r\nHost: h\r\n\r\n",
	"GET /fast/up HTTP/1.1\r\nHost: h\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n",
	"POST /fast/chunked HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
	"POST /fast/smuggle HTTP/1.1\r\nHost: h\r\nContent-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
	"GET /fast/fold HTTP/1.1\r\nHost: h\r\nX: a\r\n b\r\n\r\n",
	"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n",
	"GET /fast/old HTTP/1.0\r\nHost: h\r\n\r\n",
	"GET /fast/hosts HTTP/1.1\r\nHost: h\r\nHost: i\r\n\r\n",
	"POST /fast/big HTTP/1.1\r\nHost: h\r\nContent-Length: 2000\r\n\r\n" + strings.Repeat("b", 2000),
	"GET /fast/expect HTTP/1.1\r\nHost: h\r\nExpect: 100-continue\r\n\r\n",
	"\r\nGET /fast/lead HTTP/1.1\r\nHost: h\r\n\r\n",
}

// taken is how many of splitRequests (in order) the route takes
// before the first it does not.
func taken(reqs []string) int {
	for i, r := range reqs {
		if !strings.HasPrefix(r, "GET /fast/a") && !strings.HasPrefix(r, "POST /fast/b ") && !strings.HasPrefix(r, "\r\nGET /fast/lead") {
			return i
		}
	}
	return len(reqs)
}

// Whatever the requests and however the bytes arrive, the fast reader
// gets exactly the requests before the first one the route (or the
// guard) does not take, and Handoff replays exactly the rest; a Split
// freed and reused (Free, NewSplit) starts afresh.
func TestSplitHandsOffTheRest(t *testing.T) {
	rapid.Check(t, func(rt *rapid.T) {
		idx := rapid.SliceOfN(rapid.IntRange(0, len(splitRequests)-1), 1, 6).Draw(rt, "requests")
		var reqs []string
		for _, i := range idx {
			reqs = append(reqs, splitRequests[i])
		}
		stream := strings.Join(reqs, "")
		sizes := rapid.SliceOfN(rapid.IntRange(1, 300), 0, 40).Draw(rt, "sizes")
		step := rapid.IntRange(1, 4096).Draw(rt, "step")
		s := NewSplit(&chunkConn{data: []byte(stream), sizes: sizes}, fastRoute, 1<<10)
		got, err := readSplit(s, step)
		n := taken(reqs)
		want := strings.Join(reqs[:n], "")
		if string(got) != want {
			rt.Fatalf("the fast reader got %.300q, want %.300q", got, want)
		}
		if n == len(reqs) {
			if !errors.Is(err, io.EOF) {
				rt.Fatalf("end of a stream the fast path took whole: %v", err)
			}
			s.Free() // the next check's Split may be this one, reused
			return
		}
		if !errors.Is(err, ErrHandoff) {
			rt.Fatalf("reads ended with %v, want ErrHandoff", err)
		}
		rc, ok := s.Handoff()
		if !ok {
			rt.Fatal("no hand-off")
		}
		s.Free() // as the front does: the hand-off holds nothing of s
		rest, _ := io.ReadAll(rc)
		if string(rest) != strings.Join(reqs[n:], "") {
			rt.Fatalf("the hand-off replays %.300q, want %.300q", rest, strings.Join(reqs[n:], ""))
		}
	})
}

// A head larger than maxHead is handed off (net/http answers 431).
func TestSplitBoundsHeldHead(t *testing.T) {
	head := "GET /fast/a HTTP/1.1\r\nHost: h\r\n" + strings.Repeat("X-Pad: "+strings.Repeat("p", 100)+"\r\n", 30) + "\r\n"
	s := NewSplit(&chunkConn{data: []byte(head)}, fastRoute, 1<<10)
	got, err := readSplit(s, 512)
	if len(got) != 0 || !errors.Is(err, ErrHandoff) {
		t.Fatalf("got %d bytes, %v; want none and ErrHandoff", len(got), err)
	}
	rc, _ := s.Handoff()
	rest, _ := io.ReadAll(rc)
	if string(rest) != head {
		t.Fatal("the hand-off does not replay the head")
	}
}

// Head reports what routing needs.
func TestHeadParts(t *testing.T) {
	var g Guard
	g.stopAtHead = true
	in := []byte("POST /p?q=1 HTTP/1.1\r\nHOST: Example:80\r\nX-Waiter-Token: t\r\nX-Waiter-Debug: 1\r\nContent-Length: 3\r\n\r\nabc")
	n, _ := g.Filter(in, len(in))
	if !g.headEnded || string(in[n:]) != "abc" {
		t.Fatalf("the head did not end before its body: %q", in[n:])
	}
	h := &g.head
	target, ok := h.Target()
	host, one := h.Host()
	if !ok || string(target) != "/p?q=1" || !one || string(host) != "Example:80" || !h.ServiceHeaders() || !h.Plain(3) || h.Plain(2) {
		t.Fatalf("target %q %v, host %q %v, service %v, plain %v", target, ok, host, one, h.ServiceHeaders(), h.Plain(3))
	}
	g = Guard{stopAtHead: true}
	in = []byte("GET / HTTP/1.1\r\nHost: a\r\nX-Waiter-Debug: 1\r\n\r\n")
	g.Filter(in, len(in))
	if g.head.ServiceHeaders() {
		t.Fatal("x-waiter-debug counted as a service header")
	}
}

// FuzzSplit: whatever the bytes and however they arrive, a Split never
// panics, passes on a prefix of the stream unchanged, and when it hands
// off, the fast reader's bytes and the replay are the whole stream.
func FuzzSplit(f *testing.F) {
	for _, r := range splitRequests {
		f.Add([]byte(r+r), uint8(7), uint16(300))
	}
	f.Add([]byte("GET /fast/a HTTP/1.1\r\nHost: h\r\nContent-Length: 3\r\n\r\nabcGET /x HTTP/1.1\r\n\r\n"), uint8(1), uint16(5))
	f.Fuzz(func(t *testing.T, in []byte, chunk uint8, step uint16) {
		sizes := make([]int, len(in))
		for i := range sizes {
			sizes[i] = int(chunk)%64 + 1
		}
		s := NewSplit(&chunkConn{data: append([]byte(nil), in...), sizes: sizes}, fastRoute, 512)
		got, err := readSplit(s, int(step)%4096+1)
		if !bytes.HasPrefix(in, got) {
			t.Fatalf("the fast reader got bytes that are not the stream's: %q", got)
		}
		if errors.Is(err, ErrHandoff) {
			rc, ok := s.Handoff()
			if !ok {
				t.Fatal("ErrHandoff without a hand-off")
			}
			rest, _ := io.ReadAll(rc)
			if !bytes.Equal(append(got, rest...), in) {
				t.Fatalf("fast %q + replay %q is not the stream", got, rest)
			}
		}
	})
}

// Between requests a Split holds neither buffer nor guard (splitWork):
// an idle keep-alive connection's heap. In a body it keeps the guard,
// whose state goes on.
func TestSplitIdleHoldsNoWork(t *testing.T) {
	get := "GET /fast/a HTTP/1.1\r\nHost: h\r\n\r\n"
	post := "POST /fast/b HTTP/1.1\r\nHost: h\r\nContent-Length: 5\r\n\r\n"
	conn := &chunkConn{data: []byte(get + post + "hel" + "lo" + "GET /fast/a HT" + "TP/1.1\r\nHost: h\r\n\r\n"),
		sizes: []int{len(get), len(post), 3, 2, 14, 100}}
	s := NewSplit(conn, fastRoute, 1<<10)
	buf := make([]byte, 4096)
	for i, want := range []struct {
		read string
		held bool
	}{
		{get, false},
		{post, true},  // its body is still to come
		{"hel", true}, // two bytes of it still to come
		{"lo", false}, // the body read whole
		{get, false},  // a head that came in two reads
	} {
		n, err := s.Read(buf)
		if err != nil || string(buf[:n]) != want.read {
			t.Fatalf("read %d: %q, %v; want %q", i, buf[:n], err, want.read)
		}
		if held := s.work != nil; held != want.held || (!want.held && s.buf != nil) {
			t.Fatalf("read %d: holds work %v (buffer %v), want %v", i, held, s.buf != nil, want.held)
		}
	}
	s.Free()
}

// pausingConn returns its reads in turn; an empty one is a read deadline
// passing.
type pausingConn struct {
	net.Conn
	reads []string
}

func (c *pausingConn) Read(p []byte) (int, error) {
	if len(c.reads) == 0 {
		return 0, io.EOF
	}
	r := c.reads[0]
	c.reads = c.reads[1:]
	if r == "" {
		return 0, os.ErrDeadlineExceeded
	}
	return copy(p, r), nil
}

// Idle holds only between requests: after a whole request, and after a
// wait for the next one that a deadline ended (then without the guard
// and scratch array the wait took); not while a body or the rest of a
// head is still to come.
func TestSplitIdle(t *testing.T) {
	get := "GET /fast/a HTTP/1.1\r\nHost: h\r\n\r\n"
	post := "POST /fast/b HTTP/1.1\r\nHost: h\r\nContent-Length: 5\r\n\r\n"
	s := NewSplit(&pausingConn{reads: []string{get, "", post, "", "hello", "GET /fast/a HT", ""}}, fastRoute, 1<<10)
	defer s.Free()
	buf := make([]byte, 4096)
	for i, want := range []struct {
		read string // "": the deadline
		idle bool
		step string // what the step is
	}{
		{get, true, "a whole GET"},
		{"", true, "a wait for the next request, ended by its deadline"},
		{post, false, "a POST head, its body to come"},
		{"", false, "a wait for the body, ended by its deadline"},
		{"hello", true, "the body"},
		{"", false, "part of a head, then the deadline"},
	} {
		n, err := s.Read(buf)
		if want.read == "" {
			if n != 0 || !IsTimeout(err) {
				t.Fatalf("step %d (%s): read %q, %v; want the deadline", i, want.step, buf[:n], err)
			}
		} else if err != nil || string(buf[:n]) != want.read {
			t.Fatalf("step %d (%s): read %q, %v; want %q", i, want.step, buf[:n], err, want.read)
		}
		if idle := s.Idle(); idle != want.idle {
			t.Fatalf("step %d (%s): Idle %v, want %v", i, want.step, idle, want.idle)
		}
		if want.idle && s.work != nil {
			t.Fatalf("step %d (%s): idle, still holding the guard", i, want.step)
		}
	}
}

// Bytes given to Prefill are guarded and read before the connection's:
// a front that read a head itself hands the connection on with it.
func TestSplitPrefill(t *testing.T) {
	client, server := net.Pipe()
	defer client.Close()
	defer server.Close()
	routed := 0
	s := NewSplit(server, func(*Head) bool { routed++; return true }, 1<<16)
	defer s.Free()
	s.Prefill([]byte("GET /a HTTP/1.1\r\nHost: x\r\n\r\nGET /b HT"))
	go func() { _, _ = client.Write([]byte("TP/1.1\r\nHost: x\r\n\r\n")) }()
	want := "GET /a HTTP/1.1\r\nHost: x\r\n\r\nGET /b HTTP/1.1\r\nHost: x\r\n\r\n"
	got := make([]byte, 0, len(want))
	buf := make([]byte, 64)
	for len(got) < len(want) {
		n, err := s.Read(buf)
		if err != nil {
			t.Fatalf("Read after %q: %v", got, err)
		}
		got = append(got, buf[:n]...)
	}
	if string(got) != want || routed != 2 {
		t.Fatalf("read %q with %d heads routed, want %q and 2", got, routed, want)
	}
	smuggled := NewSplit(server, func(*Head) bool { return true }, 1<<16)
	defer smuggled.Free()
	smuggled.Prefill([]byte("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\nTransfer-Encoding: chunked\r\n\r\n"))
	if _, err := smuggled.Read(buf); err == nil {
		// The guard refuses the head: the read answers the refusal
		// (ErrRefused or the like), never the head itself.
		t.Fatalf("a prefilled smuggling head was read: %q", buf)
	}
}
