//go:build linux

package serve

import (
	"fmt"
	"io"
	"net/http"
	"reflect"
	"strconv"
	"strings"
	"testing"
)

// oddAnswers are answers an instance must not give: framings that
// conflict or break, heads that do not parse. The fronts must treat each
// alike (502, a broken transfer, or the one reading the standard
// allows), as they share the rules of h1resp: a front that framed one of
// them otherwise than the other would hand the client a different
// answer, the start of response smuggling.
var oddAnswers = []struct {
	name, raw string
	// relayed: the body of the answer as the goroutine front may relay
	// it, where RFC 9112 lets a proxy either refuse the answer (502, as
	// the loops do) or repair it: take Transfer-Encoding over
	// Content-Length (6.3), replace an obs-fold with spaces (5.2), drop
	// the space before a colon (5.1), take a bare LF for a line's end
	// (2.2). fasthttp repairs; h1resp refuses.
	relayed string
}{
	{"length and chunked", "HTTP/1.1 200 OK\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n", "hello"},
	{"two lengths", "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nContent-Length: 5\r\n\r\nhello", ""},
	{"obs-fold", "HTTP/1.1 200 OK\r\nX-A: a\r\n b\r\nContent-Length: 2\r\n\r\nok", "ok"},
	{"bad chunk size", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nhello\r\n0\r\n\r\n", ""},
	{"short body", "HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nhello", ""},
	{"garbage status line", "HTPT/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok", ""},
	{"field without a colon", "HTTP/1.1 200 OK\r\nX-A a\r\nContent-Length: 2\r\n\r\nok", ""},
	{"bare LF", "HTTP/1.1 200 OK\nContent-Length: 2\n\nok", ""},
	{"gzip then chunked", "HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip, chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n", ""},
	{"chunked then gzip", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked, gzip\r\n\r\nhello", ""},
	{"space before the colon", "HTTP/1.1 200 OK\r\nContent-Length : 2\r\n\r\nok", "ok"},
	{"negative length", "HTTP/1.1 200 OK\r\nContent-Length: -2\r\n\r\nok", ""},
	{"status 99", "HTTP/1.1 099 Odd\r\nContent-Length: 2\r\n\r\nok", ""},
	{"status 999", "HTTP/1.1 999 Odd\r\nContent-Length: 2\r\n\r\nok", ""},
	{"bare LF after the status line", "HTTP/1.1 200 OK\nContent-Length: 2\r\n\r\nok", "ok"},
	{"101 unasked", "HTTP/1.1 101 Switching Protocols\r\nUpgrade: x\r\nConnection: Upgrade\r\n\r\n", ""},
	{"NUL in a value", "HTTP/1.1 200 OK\r\nX-A: a\x00b\r\nContent-Length: 2\r\n\r\nok", ""},
	{"length plus", "HTTP/1.1 200 OK\r\nContent-Length: +2\r\n\r\nok", ""},
}

// Each odd answer, given by an instance of its own (a failing instance
// is ejected for a while), reaches the client from the event loops as
// from the goroutine front, and never as a good answer; but for the
// repairs RFC 9112 allows a proxy, which only the goroutine front makes.
func TestEventLoopRelaysOddAnswersAsGoroutineFront(t *testing.T) {
	loopRt, _ := startFrontRouter(t, oddBackend())
	goRt, _ := startFrontRouter(t, oddBackend(), goroutineFront)
	for i, odd := range oddAnswers {
		t.Run(odd.name, func(t *testing.T) {
			svc := kitchenFields(fmt.Sprintf("loopodd%d", i))
			warm := "GET /warm HTTP/1.1\r\nHost: h\r\n" + svc + "\r\n"
			req := fmt.Sprintf("GET /odd HTTP/1.1\r\nHost: h\r\n%sX-Odd-Answer: %d\r\nConnection: close\r\n\r\n", svc, i)
			var answers [2][]loopAnswer
			for k, rt := range []*testRouter{goRt, loopRt} {
				host := strings.TrimPrefix(rt.url, "http://")
				if a := exchangePieces(t, host, []string{warm}, []string{"GET"}); a[0].Status != 200 {
					t.Fatalf("starting the service: %s", brief(a))
				}
				answers[k] = exchangePieces(t, host, []string{req}, []string{"GET"})
				normalizeDebug(answers[k])
			}
			loop, goroutine := answers[1], answers[0]
			if odd.relayed != "" {
				if loop[0].Status != http.StatusBadGateway {
					t.Errorf("the loops answered\n%s\nwant 502", brief(loop))
				}
				if g := goroutine[0]; g.Err != "" || !(g.Status == http.StatusBadGateway || g.Status == http.StatusOK && g.Body == odd.relayed) {
					t.Errorf("the goroutine front answered\n%s\nwant 502, or 200 and %q", brief(goroutine), odd.relayed)
				}
				return
			}
			if !reflect.DeepEqual(loop, goroutine) {
				t.Errorf("the loops answered\n%s\nthe goroutine front answered\n%s\n%s", brief(loop), brief(goroutine), firstDifference(loop, goroutine))
			}
			if loop[0].Status == http.StatusOK {
				t.Errorf("an odd answer relayed as good: %s", brief(loop))
			}
		})
	}
}

// oddBackend answers /warm as any instance, and /odd with the odd
// answer its request names, then closes the connection.
func oddBackend() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/odd" {
			_, _ = io.WriteString(w, "warm")
			return
		}
		i, err := strconv.Atoi(r.Header.Get("X-Odd-Answer"))
		if err != nil || i < 0 || i >= len(oddAnswers) {
			http.Error(w, "no such odd answer", http.StatusBadRequest)
			return
		}
		conn, brw, err := http.NewResponseController(w).Hijack()
		if err != nil {
			return
		}
		defer conn.Close()
		_, _ = io.WriteString(brw, oddAnswers[i].raw)
		_ = brw.Flush()
	})
}
