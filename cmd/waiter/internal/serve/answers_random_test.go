//go:build linux

package serve

import (
	"bufio"
	"encoding/base64"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/valyala/fasthttp"
	"pgregory.net/rapid"

	"github.com/waiter-go/waiter/cmd/waiter/internal/config"
	"github.com/waiter-go/waiter/internal/h1resp"
)

// rawAnswerBackend answers GET /raw with the bytes its X-Raw header holds
// (base64), written on the hijacked connection, which it then closes:
// an instance that answers anything at all.
func rawAnswerBackend() http.Handler {
	loop := loopBackend()
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/raw" {
			loop.ServeHTTP(w, r)
			return
		}
		raw, err := base64.StdEncoding.DecodeString(r.Header.Get("X-Raw"))
		if err != nil {
			http.Error(w, "bad X-Raw: "+err.Error(), http.StatusTeapot)
			return
		}
		conn, _, err := w.(http.Hijacker).Hijack()
		if err != nil {
			return
		}
		_, _ = conn.Write(raw)
		_ = conn.Close()
	})
}

// The fronts relay any answer an instance gives by one rule each, for
// answers drawn from what instances send and get wrong (1xx before the
// answer, odd and bodiless statuses, missing, short, long, repeated or
// conflicting framing, broken chunks, trailers, bare LFs, folded lines,
// bodies to a HEAD). The fronts read answers with one of two readers: the
// loops with internal/h1resp, strict by design (it refuses framing that
// could be read two ways, since it passes heads on as they came), the
// goroutine front and net/http's with fasthttp's client, which repairs
// some. So:
//   - the goroutine front and net/http's relay every answer alike;
//   - where a reader refuses an answer's head, its fronts answer Waiter's
//     502 ("Request to service backend failed");
//   - an answer cut short or with a broken chunk is given as whole by no
//     front;
//   - any other answer every front relays alike: status, body (as
//     headAnswer keeps it) and persistence.
//
// Each draw is one request for a service of its own (an instance a broken
// answer got ejected would answer the next one by its history), on a new
// connection, to each router.
func TestFrontsRelayRandomAnswersAlike(t *testing.T) {
	fronts := threeFronts
	hosts := make([]string, len(fronts))
	for i, f := range fronts {
		rt := startRouter(t, rawAnswerBackend(), f.mutate, func(c *config.Config) {
			c.MaxServicesPerUser, c.MaxInstancesPerUser = 1<<20, 1<<20 // a service per draw, shrinking included
		})
		hosts[i] = strings.TrimPrefix(rt.url, "http://")
	}
	var services atomic.Int64
	rapid.Check(t, func(rt *rapid.T) {
		status := rapid.SampledFrom([]string{"HTTP/1.1 200 OK", "HTTP/1.1 200 OK", "HTTP/1.1 204 No Content",
			"HTTP/1.1 304 Not Modified", "HTTP/1.0 200 OK", "HTTP/1.1 299 Odd", "HTTP/1.1 200", "HTTP/1.1 500 Oops",
			"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK", "HTTP/1.1 103 Early Hints\r\nLink: </a>\r\n\r\nHTTP/1.1 200 OK",
			"HTTP/1.1 999 Big", "HTTP/1.1 20 Short", "HTTP/9.9 200 OK", "garbage"}).Draw(rt, "status")
		framing := rapid.SampledFrom([]string{"length", "length", "chunked", "chunked", "none", "short length",
			"long length", "two lengths", "two different lengths", "length and chunked", "bad chunk", "chunked with trailer",
			"chunked unended", "length 0"}).Draw(rt, "framing")
		extras := rapid.SliceOfN(rapid.SampledFrom([]string{"Content-Type: text/plain", "Connection: close",
			"Connection: keep-alive", "Keep-Alive: timeout=5", "X-A: b\r\n c", "X-A : b", "NoColon", "Set-Cookie: a=1\r\nSet-Cookie: b=2",
			"Trailer: X-Tr", "Via: 1.0 up", "X-Cid: theirs", "Date: Mon, 02 Jan 2006 15:04:05 GMT", "X-Nul: a\x00b",
			"Proxy-Authenticate: x", "Connection: X-Drop\r\nX-Drop: gone", "X-Ünï: b"}), 0, 3).Draw(rt, "extras")
		bareLF := rapid.IntRange(0, 5).Draw(rt, "bare LF") == 0
		method := rapid.SampledFrom([]string{"GET", "GET", "GET", "HEAD"}).Draw(rt, "method")

		body := "hello"
		var head strings.Builder
		head.WriteString(status + "\r\n")
		for _, e := range extras {
			head.WriteString(e + "\r\n")
		}
		var rest string
		switch framing {
		case "length":
			rest = fmt.Sprintf("Content-Length: %d\r\n\r\n%s", len(body), body)
		case "length 0":
			rest = "Content-Length: 0\r\n\r\n"
		case "chunked":
			rest = "Transfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n"
		case "none":
			rest = "\r\n" + body
		case "short length":
			rest = "Content-Length: 9\r\n\r\n" + body
		case "long length":
			rest = "Content-Length: 2\r\n\r\n" + body
		case "two lengths":
			rest = "Content-Length: 5\r\nContent-Length: 5\r\n\r\n" + body
		case "two different lengths":
			rest = "Content-Length: 5\r\nContent-Length: 6\r\n\r\n" + body
		case "length and chunked":
			rest = "Content-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n"
		case "bad chunk":
			rest = "Transfer-Encoding: chunked\r\n\r\n5x\r\nhello\r\n0\r\n\r\n"
		case "chunked with trailer":
			rest = "Transfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\nX-Tr: 1\r\n\r\n"
		case "chunked unended":
			rest = "Transfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n"
		}
		h := head.String()
		if bareLF {
			h = strings.ReplaceAll(h, "\r\n", "\n")
		}
		raw := base64.StdEncoding.EncodeToString([]byte(h + rest))
		svc := kitchenFields(fmt.Sprintf("answers%d", services.Add(1)))
		req := method + " /raw HTTP/1.1\r\nHost: h\r\n" + svc + "X-Raw: " + raw + "\r\n\r\n"
		answers := make([][]headAnswer, len(hosts))
		for i, host := range hosts {
			// The first request for a service is the goroutine front's
			// (it stores the service); the loops serve the next.
			if a := answerHeads(host, "GET /warm HTTP/1.1\r\nHost: h\r\n"+svc+"\r\n", "GET", 1); a[0].Status != http.StatusOK {
				rt.Fatalf("%s: starting the service: %+v", fronts[i].name, a)
			}
			answers[i] = answerHeads(host, req, method, 1)
		}
		// The two readers of answers: the loops' (internal/h1resp,
		// strict by design: it refuses framing that could be read two
		// ways) and the goroutine fronts' client (fasthttp's, which
		// repairs some). Where a reader refuses an answer's head, its
		// fronts give Waiter's 502; where both take it, every front
		// relays it alike.
		final, loopErr := loopReadsHead(h+rest, method)
		loopRefused := loopErr != nil
		fastRefused := fastReadsHead(h+rest) != nil
		broken := (framing == "short length" || framing == "bad chunk" || framing == "chunked unended") &&
			final.Body != h1resp.BodyNone
		loopAnswer, goAnswer, stdAnswer := answers[0][0], answers[1][0], answers[2][0]
		switch {
		case !slices.Equal(answers[1], answers[2]):
			rt.Fatalf("answer %q to a %s:\ngoroutine front relayed %+v\nnet/http relayed %+v", h+rest, method, goAnswer, stdAnswer)
		case loopRefused && !backendFailed(loopAnswer, method):
			rt.Fatalf("answer %q to a %s, which the loops' reader refuses (%v): the loops relayed %+v", h+rest, method, loopErr, loopAnswer)
		case fastRefused && !backendFailed(goAnswer, method):
			rt.Fatalf("answer %q to a %s, which fasthttp refuses: the goroutine front relayed %+v", h+rest, method, goAnswer)
		case loopRefused || fastRefused:
		case broken && method != http.MethodHead:
			// Cut short or with a broken chunk: no front may give it
			// as whole; each gives Waiter's 502, or ends the connection
			// before or inside the answer (dying_test.go holds which).
			for i, a := range answers {
				if !backendFailed(a[0], method) && a[0].Body != "no answer" && !strings.HasPrefix(a[0].Body, "body broken") {
					rt.Fatalf("answer %q to a %s: %s relayed %+v as whole", h+rest, method, fronts[i].name, a[0])
				}
			}
		case !slices.Equal(answers[0], answers[1]):
			rt.Fatalf("answer %q to a %s:\nevent loops relayed %+v\ngoroutine front relayed %+v", h+rest, method, loopAnswer, goAnswer)
		}
	})
}

// loopReadsHead is the loops' reader's verdict on raw's final head (past
// any 1xx), as the loops read an answer's head (loopfront's parseHead).
func loopReadsHead(raw, method string) (h1resp.Head, error) {
	buf := []byte(raw)
	for {
		h, ok, err := h1resp.ParseHead(buf, method == http.MethodHead, nil, 64<<10)
		switch {
		case err != nil:
			return h, err
		case !ok:
			return h, errors.New("the head never ends")
		case h.Status == http.StatusSwitchingProtocols:
			return h, errors.New("switched protocols unasked")
		case h.Status >= 200:
			return h, nil
		}
		buf = buf[h.N:]
	}
}

// fastReadsHead is fasthttp's verdict on raw's head, as the goroutine
// fronts' client reads an answer's head.
func fastReadsHead(raw string) error {
	var resp fasthttp.Response
	resp.SkipBody = true
	resp.Header.DisableNormalizing()
	return resp.Read(bufio.NewReader(strings.NewReader(raw)))
}

// backendFailed reports Waiter's 502 for an instance's failed answer
// (with its page, but to a HEAD).
func backendFailed(a headAnswer, method string) bool {
	return a.Status == http.StatusBadGateway &&
		(method == http.MethodHead || strings.Contains(a.Body, "Request to service backend failed"))
}
