//go:build linux

package serve

import (
	"net"
	"net/http"
	"strings"
	"testing"
)

// Heads at the edges of what HTTP/1.x allows get the same answer from
// every front as from net/http's server: an HTTP/1.1 request without a
// Host is refused with net/http's 400 (the loops forwarded it); an
// HTTP/1.0 one, which may have none, is served, the instance getting its
// own address for a Host (the fast client refused to send it, a 502
// blamed on the instance); a head whose lines end in a bare LF, which
// net/http reads, is served (the loops waited for a CRLF that never
// came, until the head's timeout).
func TestFrontsAgreeOnHostlessAndBareLFHeads(t *testing.T) {
	fronts := threeFronts
	svc := kitchenFields("hostless")
	for _, f := range fronts {
		t.Run(f.name, func(t *testing.T) {
			rt := startRouter(t, loopBackend(), f.mutate)
			host := strings.TrimPrefix(rt.url, "http://")
			warm := dialRaw(t, host) // starts and stores the service, so the loops may serve it
			warm.send("GET /warm HTTP/1.1\r\nHost: h\r\n" + svc + "\r\n")
			if status, body, _ := warm.answer("GET"); status != http.StatusOK {
				t.Fatalf("starting the service: %d %q", status, body)
			}

			rc := dialRaw(t, host)
			rc.send("GET /host HTTP/1.1\r\n" + svc + "\r\n")
			if status, body, closed := rc.answer("GET"); status != http.StatusBadRequest ||
				!strings.Contains(body, "missing required Host header") || !closed {
				t.Errorf("HTTP/1.1 without a Host: %d %q (closed %v), want net/http's 400", status, body, closed)
			}

			rc = dialRaw(t, host)
			rc.send("GET /host HTTP/1.0\r\n" + svc + "\r\n")
			status, body, _ := rc.answer("GET")
			if got, ok := strings.CutPrefix(body, "host "); status != http.StatusOK || !ok {
				t.Errorf("HTTP/1.0 without a Host: %d %q, want 200 from the instance", status, body)
			} else if _, _, err := net.SplitHostPort(got); err != nil {
				t.Errorf("HTTP/1.0 without a Host: the instance got Host %q, want its own address", got)
			}

			rc = dialRaw(t, host)
			rc.send(strings.ReplaceAll("GET /host HTTP/1.1\r\nHost: bare.test\r\n"+svc+"\r\n", "\r\n", "\n"))
			if status, body, _ := rc.answer("GET"); status != http.StatusOK || body != "host bare.test" {
				t.Errorf("a head whose lines end in a bare LF: %d %q, want 200 %q", status, body, "host bare.test")
			}
		})
	}
}
