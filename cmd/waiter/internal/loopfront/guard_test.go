package loopfront

import (
	"io"
	"net"
	"net/http"
	"strings"
	"testing"

	"github.com/waiter-go/waiter/internal/h1guard"
	"github.com/waiter-go/waiter/internal/h1serve"
)

// guardPasses reports whether h1guard passes head (routed to the fast
// path) through unchanged: the head is plain by the guard's rules.
func guardPasses(head string) bool {
	client, server := net.Pipe()
	defer client.Close()
	plain := false
	s := h1guard.NewSplit(server, func(h *h1guard.Head) bool {
		plain = h.Plain(0)
		return true
	}, 64<<10)
	defer s.Free()
	s.Prefill([]byte(head))
	buf := make([]byte, len(head))
	n, err := io.ReadFull(s, buf)
	return err == nil && n == len(head) && string(buf) == head && plain
}

// Every head the loops take (the strict fast parser's, with no body, no
// Upgrade and no Expect: client.next and LoopRoutable) is one the guard
// passes as plain: the loops, which do not run the guard, take no head
// that the goroutine front would refuse or treat as anything else.
func FuzzLoopHeadsAreGuardPlain(f *testing.F) {
	for _, seed := range []string{
		"GET / HTTP/1.1\r\nHost: a\r\n\r\n",
		"GET /x?y=1 HTTP/1.1\r\nHost: a\r\nX-Waiter-Token: t\r\nCookie: c=1\r\n\r\n",
		"GET / HTTP/1.1\r\nHost: a\r\nContent-Length: 0\r\n\r\n",
		"GET / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n",
		"GET / HTTP/1.1\r\nHost: a\r\nContent-Length: 0\r\nContent-Length: 0\r\n\r\n",
		"GET / HTTP/1.1\r\nHost: a\r\nX: a\r\n b\r\n\r\n",
		"GET / HTTP/1.1\nHost: a\n\n",
		"DELETE /d HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n",
		"GET / HTTP/1.1\r\nHost: a\r\nTransfer-encoding : chunked\r\n\r\n",
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, head string) {
		var p h1serve.Head
		r, n, ok := p.Parse([]byte(head), &http.Request{})
		if !ok || n != len(head) || r.ContentLength != 0 {
			return
		}
		if _, up := r.Header["Upgrade"]; up {
			return
		}
		if _, ex := r.Header["Expect"]; ex {
			return
		}
		if !guardPasses(head) {
			t.Fatalf("the loops take %q, which h1guard does not pass as plain", head)
		}
		if strings.Contains(head, "\n\n") && !strings.Contains(head, "\r\n\r\n") {
			t.Fatalf("a bare-LF head parsed: %q", head)
		}
	})
}
