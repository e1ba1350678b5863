//go:build linux

package serve

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"net/http"
	"reflect"
	"regexp"
	"strings"
	"testing"
	"time"

	"pgregory.net/rapid"

	"github.com/waiter-go/waiter/cmd/waiter/internal/config"
)

// threeFronts are the router's three ways to serve HTTP/1.x: the event
// loops, the goroutine front (internal/h1serve) and net/http's server;
// tests that hold them to one behaviour start a router with each.
var threeFronts = []struct {
	name   string
	mutate func(*config.Config)
}{
	{"event loops", func(*config.Config) {}},
	{"goroutine front", goroutineFront},
	{"net/http", func(c *config.Config) { c.FastHTTP1 = false }},
}

// headAnswer is what a client sees of a router's answer to one head,
// less what differs between routers for the same request: the body of a
// refusal net/http's layer writes (its words differ between net/http
// and the fast fronts), an error page's correlation id, router id and
// time, and the address of an instance.
type headAnswer struct {
	Status int
	Body   string
	Close  bool
	// Routed: the answer carries a correlation id, so the router's
	// proxy or API made it (or passed it on), not the HTTP layer's own
	// refusal of the head; an instance's net/http refuses the same heads
	// in the same words.
	Routed bool
}

var (
	errorPageNoise = regexp.MustCompile(`(?m)^ *(CID|Router Id|Time|Service Id): .*$`)
	instanceAddr   = regexp.MustCompile(`127\.0\.0\.1:\d+`)
)

// answerHeads sends raw on a new connection to host and reads up to n
// answers to requests with method, until the router closes.
func answerHeads(host, raw, method string, n int) []headAnswer {
	c, err := net.Dial("tcp", host)
	if err != nil {
		return []headAnswer{{Body: "dial: " + err.Error()}}
	}
	defer c.Close()
	_ = c.SetDeadline(time.Now().Add(5 * time.Second))
	if _, err := io.WriteString(c, raw); err != nil {
		return []headAnswer{{Body: "write: " + err.Error()}}
	}
	br := bufio.NewReader(c)
	var out []headAnswer
	for range n {
		resp, err := http.ReadResponse(br, &http.Request{Method: method})
		if err != nil {
			return append(out, headAnswer{Body: "no answer"})
		}
		b, err := io.ReadAll(resp.Body)
		if err != nil {
			return append(out, headAnswer{Status: resp.StatusCode, Body: "body broken: " + err.Error()})
		}
		a := headAnswer{Status: resp.StatusCode, Body: string(b), Close: resp.Close, Routed: resp.Header.Get("X-Cid") != ""}
		if strings.HasPrefix(a.Body, fmt.Sprintf("%d ", a.Status)) {
			a.Body = "" // net/http's (or the fast fronts') own refusal
		}
		a.Body = instanceAddr.ReplaceAllString(errorPageNoise.ReplaceAllString(a.Body, ""), "<instance>")
		if out = append(out, a); a.Close {
			break
		}
	}
	return out
}

// The fronts answer any head alike: the event loops, the goroutine front
// (internal/h1serve) and net/http's server, for heads drawn from the
// odd corners HTTP/1.x allows or clients get wrong (no Host or an odd
// one, HTTP/1.0, odd targets and methods, lines ending in a bare LF,
// folded or spaced header lines, conflicting framing, upgrades). Each
// head goes to each router on a new connection; the answers must have
// the same status, body (as headAnswer keeps it) and persistence.
// Found by the rapid test of heads before it existed as one: an HTTP/1.1
// head without a Host (forwarded by the loops), one in bare LFs (held by
// the loops until the head's timeout), an HTTP/1.0 head without a Host
// (a 502 from the fast client, on every front).
func TestFrontsAnswerRandomHeadsAlike(t *testing.T) {
	fronts := threeFronts
	svc := kitchenFields("heads")
	hosts := make([]string, len(fronts))
	for i, f := range fronts {
		rt := startRouter(t, loopBackend(), f.mutate)
		hosts[i] = strings.TrimPrefix(rt.url, "http://")
		if a := answerHeads(hosts[i], "GET /warm HTTP/1.1\r\nHost: h\r\n"+svc+"\r\n", "GET", 1); a[0].Status != http.StatusOK {
			t.Fatalf("%s: starting the service: %+v", f.name, a)
		}
	}
	rapid.Check(t, func(rt *rapid.T) {
		method := rapid.SampledFrom([]string{"GET", "GET", "HEAD", "DELETE", "OPTIONS", "get", "PURGE", "G@T"}).Draw(rt, "method")
		target := rapid.SampledFrom([]string{"/host", "/echo", "/small?x=1", "//small", "/a/../small", "*", "http://h/small",
			"small", "/%zz", "/sm%61ll", "/small?", "/small#frag"}).Draw(rt, "target")
		version := rapid.SampledFrom([]string{"HTTP/1.1", "HTTP/1.1", "HTTP/1.0", "HTTP/2.0", "http/1.1", "HTTP/1.10"}).Draw(rt, "version")
		host := rapid.SampledFrom([]string{"none", "Host: h", "Host: h", "Host:", "Host: h:80", "Host: a b", "Host: H.test",
			"Host: [::1]:80", "Host: h\t", "Host: h\r\nHost: h", "host: h", "Host : h"}).Draw(rt, "host")
		extras := rapid.SliceOfN(rapid.SampledFrom([]string{"Connection: close", "Connection: keep-alive", "Expect: 100-continue",
			"Content-Length: 0", "X-A: b", "X-A:b", "X-A: b\r\n c", "X-A : b", "X-Nul: a\x00b", "Upgrade: h2c\r\nConnection: Upgrade",
			"Content-Length: 0\r\nContent-Length: 0", "Content-Length: 0\r\nTransfer-Encoding: chunked", "Te: trailers",
			"Via: 1.0 x", "Cookie: a=b", "Transfer-Encoding: identity", "X-Empty:", "x-waiter-cpus: abc", "x-waiter-debug: true",
			"X-Ünï: b", "X-A: \x7f"}), 0, 3).Draw(rt, "extras")
		body := rapid.SampledFrom([]string{"", "", "Content-Length: 3\r\n\r\nabc", "Transfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n",
			"Transfer-Encoding: chunked\r\n\r\n3;x=y\r\nabc\r\n0\r\nX-Tr: 1\r\n\r\n", "Transfer-Encoding: chunked\r\n\r\n3x\r\nabc\r\n0\r\n\r\n",
			"Transfer-Encoding: chunked\r\n\r\n0\r\n\r\n", "Content-Length: 3\r\n\r\nabcd"}).Draw(rt, "body")
		pipelined := rapid.IntRange(0, 3).Draw(rt, "pipelined") == 0
		withService := rapid.IntRange(0, 5).Draw(rt, "service") > 0
		bareLF := rapid.IntRange(0, 4).Draw(rt, "bare LF") == 0

		var b strings.Builder
		b.WriteString(method + " " + target + " " + version + "\r\n")
		if host != "none" {
			b.WriteString(host + "\r\n")
		}
		if withService {
			b.WriteString(svc)
		}
		for _, e := range extras {
			b.WriteString(e + "\r\n")
		}
		head := b.String()
		if bareLF {
			head = strings.ReplaceAll(head, "\r\n", "\n")
		}
		raw, n := head+"\r\n", 1
		if body != "" {
			raw = head + body // the body's framing line ends the head
		}
		if pipelined {
			raw, n = raw+"GET /small HTTP/1.1\r\nHost: h\r\n"+svc+"\r\n", 2
		}
		first := answerHeads(hosts[0], raw, method, n)
		for i := 1; i < len(hosts); i++ {
			if a := answerHeads(hosts[i], raw, method, n); !reflect.DeepEqual(a, first) {
				rt.Fatalf("head %q:\n%s answered %+v\n%s answered %+v", raw, fronts[0].name, first, fronts[i].name, a)
			}
		}
	})
}
