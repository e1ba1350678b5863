package serve

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"
)

// TestRequestSmugglingRefused sends the classic request-smuggling shapes
// over a raw connection to a running router: each is refused with 400
// (or 501 for an unknown transfer coding) and the connection closed, and
// the request hidden in it never reaches an instance. A well-formed
// request on a fresh connection first starts the service, so a refusal
// cannot be mistaken for a service that is not there, and proves that
// the router's plain HTTP/1.1 path (fasthttp's client to the instance)
// forwards exactly one request per request.
func TestRequestSmugglingRefused(t *testing.T) {
	var mu sync.Mutex
	var seen []string
	backend := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		mu.Lock()
		seen = append(seen, r.Method+" "+r.URL.Path+" "+string(body))
		mu.Unlock()
		_, _ = io.WriteString(w, "ok")
	})
	rt := startRouter(t, backend)
	svc := kitchenFields("smuggle")
	host := strings.TrimPrefix(rt.url, "http://")

	if status := rawStatus(t, host, "GET /warm HTTP/1.1\r\nHost: "+host+"\r\n"+svc+"\r\n"); status != 200 {
		t.Fatalf("a well-formed request: %d, want 200", status)
	}
	smuggled := "GET /smuggled HTTP/1.1\r\nHost: " + host + "\r\n" + svc + "\r\n"
	for _, c := range []struct {
		name string
		head string // the request's header lines after the request line
		body string
		want int
		// early: refused from the head alone, so nothing reaches an
		// instance; a broken body is found while it streams to one.
		early bool
	}{
		{"Content-Length and Transfer-Encoding", "Content-Length: 4\r\nTransfer-Encoding: chunked\r\n", "0\r\n\r\n" + smuggled, 400, true},
		{"Transfer-Encoding and Content-Length", "Transfer-Encoding: chunked\r\nContent-Length: 40\r\n", "0\r\n\r\n" + smuggled, 400, true},
		{"two different Content-Lengths", "Content-Length: 4\r\nContent-Length: 60\r\n", "abcd" + smuggled, 400, true},
		{"obs-fold continuation line", "X-Folded: a\r\n b\r\nContent-Length: 4\r\n", "abcd" + smuggled, 400, true},
		{"obs-fold of Transfer-Encoding", "Transfer-Encoding:\r\n chunked\r\nContent-Length: 4\r\n", "0\r\n\r\n" + smuggled, 400, true},
		{"two equal Content-Lengths", "Content-Length: 4\r\nContent-Length: 4\r\n", "abcd" + smuggled, 400, true},
		{"chunked not last", "Transfer-Encoding: chunked, identity\r\n", "0\r\n\r\n" + smuggled, 501, true},
		{"negative Content-Length", "Content-Length: -4\r\n", "abcd" + smuggled, 400, true},
		{"space before the colon", "Content-Length : 4\r\n", "abcd" + smuggled, 400, true},
		{"bad chunk size", "Transfer-Encoding: chunked\r\n", "zz\r\nabcd\r\n0\r\n\r\n" + smuggled, 400, false},
		{"chunk size overflow", "Transfer-Encoding: chunked\r\n", "fffffffffffffffff1\r\nabcd\r\n0\r\n\r\n" + smuggled, 400, false},
	} {
		t.Run(c.name, func(t *testing.T) {
			mu.Lock()
			before := len(seen)
			mu.Unlock()
			req := "POST /upload HTTP/1.1\r\nHost: " + host + "\r\n" + svc + c.head + "\r\n" + c.body
			status, rest := rawExchange(t, host, req)
			if status != c.want {
				t.Errorf("status %d, want %d", status, c.want)
			}
			if strings.Contains(rest, "HTTP/1.1") {
				t.Errorf("a second answer on the connection: the hidden request was served: %q", rest)
			}
			mu.Lock()
			got := append([]string(nil), seen[before:]...)
			mu.Unlock()
			for _, s := range got {
				if strings.Contains(s, "/smuggled") || strings.Contains(s, "GET /smuggled") {
					t.Errorf("the instance received the hidden request: %q", s)
				}
			}
			if c.early && len(got) > 0 {
				t.Errorf("a refused request reached the instance: %q", got)
			}
		})
	}
}

// rawStatus sends req on a new connection and returns the status.
func rawStatus(t *testing.T, host, req string) int {
	t.Helper()
	status, _ := rawExchange(t, host, req)
	return status
}

// rawExchange writes req on a new connection, reads one answer and then
// whatever else the router writes until it closes the connection (or a
// short quiet period passes).
func rawExchange(t *testing.T, host, req string) (int, string) {
	t.Helper()
	c, err := net.Dial("tcp", host)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	_ = c.SetDeadline(time.Now().Add(10 * time.Second))
	if _, err := io.WriteString(c, req); err != nil {
		t.Fatal(err)
	}
	br := bufio.NewReader(c)
	resp, err := http.ReadResponse(br, nil)
	if err != nil {
		t.Fatalf("reading the answer: %v", err)
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	_ = resp.Body.Close()
	if resp.Close {
		rest, _ := io.ReadAll(br)
		return resp.StatusCode, string(rest)
	}
	// Kept open: anything more arrives soon or not at all.
	_ = c.SetReadDeadline(time.Now().Add(300 * time.Millisecond))
	rest, _ := io.ReadAll(br)
	return resp.StatusCode, fmt.Sprint(string(rest))
}
