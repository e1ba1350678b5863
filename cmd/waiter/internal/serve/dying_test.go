package serve

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"pgregory.net/rapid"

	"github.com/waiter-go/waiter/cmd/waiter/internal/config"
)

// An instance may die at any byte of its answer: half-way through the
// status line or a header, right after the head, in a chunk's size line,
// in its data, before the last chunk, with a close or with a reset. A
// client must never take what it got for the whole answer: before the
// head is whole the router answers 502 itself; after, the client sees
// the answer break (an unexpected end), never a shorter body that ends
// cleanly. And the request gives its slot back.

// dyingAnswer is the answer an instance was to give (status 200, a body
// of n bytes, by Content-Length or in chunks of the given sizes) and
// where it dies in it.
type dyingAnswer struct {
	chunks []int // nil: Content-Length
	n      int
	cut    int // the bytes written before it dies, < len(wire())
	reset  bool
	take   int // the bytes of the request's body it reads first (-1: all)
}

// uploadBytes is the body of the upload client's request.
const uploadBytes = 256 << 10

// body is the answer's body: letters in a cycle, so a misplaced byte shows.
func (a dyingAnswer) body() string {
	b := make([]byte, a.n)
	for i := range b {
		b[i] = 'a' + byte(i%26)
	}
	return string(b)
}

// headLen is the length of the answer's head, up to its blank line.
func (a dyingAnswer) headLen() int { return strings.Index(a.wire(), "\r\n\r\n") + 4 }

// wire is the whole answer as the instance would have written it.
func (a dyingAnswer) wire() string {
	body := a.body()
	if a.chunks == nil {
		return "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: " + strconv.Itoa(a.n) + "\r\n\r\n" + body
	}
	var b strings.Builder
	b.WriteString("HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nTransfer-Encoding: chunked\r\n\r\n")
	for _, size := range a.chunks {
		b.WriteString(strconv.FormatInt(int64(size), 16) + "\r\n" + body[:size] + "\r\n")
		body = body[size:]
	}
	b.WriteString("0\r\n\r\n")
	return b.String()
}

// query is the answer as /die's query.
func (a dyingAnswer) query() string {
	v := url.Values{"n": {strconv.Itoa(a.n)}, "cut": {strconv.Itoa(a.cut)}, "reset": {strconv.FormatBool(a.reset)},
		"take": {strconv.Itoa(a.take)}}
	if a.chunks != nil {
		sizes := make([]string, len(a.chunks))
		for i, s := range a.chunks {
			sizes[i] = strconv.Itoa(s)
		}
		v.Set("chunks", strings.Join(sizes, ","))
	}
	return v.Encode()
}

func parseDyingAnswer(q url.Values) dyingAnswer {
	a := dyingAnswer{}
	a.n, _ = strconv.Atoi(q.Get("n"))
	a.cut, _ = strconv.Atoi(q.Get("cut"))
	a.reset = q.Get("reset") == "true"
	a.take, _ = strconv.Atoi(q.Get("take"))
	if s := q.Get("chunks"); s != "" {
		for _, f := range strings.Split(s, ",") {
			size, _ := strconv.Atoi(f)
			a.chunks = append(a.chunks, size)
		}
	}
	return a
}

func drawDyingAnswer(t *rapid.T) dyingAnswer {
	a := dyingAnswer{n: rapid.IntRange(1, 20000).Draw(t, "bodyBytes")}
	if rapid.Bool().Draw(t, "chunked") {
		for left := a.n; left > 0; {
			size := rapid.IntRange(1, left).Draw(t, "chunk")
			a.chunks = append(a.chunks, size)
			left -= size
		}
	}
	a.cut = rapid.IntRange(0, len(a.wire())-1).Draw(t, "cut")
	a.reset = rapid.Bool().Draw(t, "reset")
	a.take = -1
	return a
}

// dyingBackend answers /die?<dyingAnswer.query> with the first cut bytes
// of the answer, in two writes, then dies; everything else with 200 ok.
// A POST's body is read first.
func dyingBackend() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/die" {
			_, _ = io.WriteString(w, "ok")
			return
		}
		a := parseDyingAnswer(r.URL.Query())
		if a.take < 0 {
			_, _ = io.Copy(io.Discard, r.Body)
		} else {
			_, _ = io.CopyN(io.Discard, r.Body, int64(a.take))
		}
		c, _, err := http.NewResponseController(w).Hijack()
		if err != nil {
			panic(err)
		}
		wire := a.wire()[:a.cut]
		half := len(wire) / 2
		_, _ = io.WriteString(c, wire[:half])
		time.Sleep(time.Millisecond) // the second part in a read of its own
		_, _ = io.WriteString(c, wire[half:])
		if a.reset {
			_ = c.(*net.TCPConn).SetLinger(0)
		}
		_ = c.Close()
	})
}

// judgeDyingAnswer says what is wrong (or "") with what a client got for
// a: status and body as read, and the error that ended the body's read.
func judgeDyingAnswer(a dyingAnswer, status int, body string, readErr error) string {
	switch {
	case status == http.StatusBadGateway && readErr == nil:
		// The router's own answer: right while the head was not whole;
		// after it, right as long as nothing of the answer went out
		// (the loops send a chunked answer's head with its first bytes).
		return ""
	case a.cut < a.headLen():
		return fmt.Sprintf("the instance died in the head (byte %d of %d), and the client got %d %q (%v), want a 502",
			a.cut, a.headLen(), status, briefBody(body), readErr)
	case status != http.StatusOK:
		return fmt.Sprintf("got %d %q (%v) for an answer of 200", status, briefBody(body), readErr)
	case readErr == nil && body != a.body():
		return fmt.Sprintf("the answer broke at byte %d of %d, and the client read a clean end after %d bytes of %d",
			a.cut, len(a.wire()), len(body), a.n)
	case readErr != nil && !strings.HasPrefix(a.body(), body):
		return fmt.Sprintf("the client read %d bytes that are not the answer's start", len(body))
	}
	// A broken read, or (an instance that died in the last chunk's
	// terminator) the whole body.
	return ""
}

// judgeNoAnswer says what is wrong (or "") with a client getting no
// answer at all to a: the connection (or on HTTP/2 the stream) ended
// before any head, with err. That is right once the instance's head was
// whole: the goroutine front's writer holds the head until the body's
// first bytes go out, and when the instance's answer breaks before, the
// abort drops it with the connection, as net/http's server does (a 502
// then would need to know that nothing went out). Before, the router
// must answer 502 itself.
func judgeNoAnswer(a dyingAnswer, err error) string {
	if a.cut < a.headLen() {
		return fmt.Sprintf("the instance died in the head (byte %d of %d), and the client got no answer (%v), want a 502",
			a.cut, a.headLen(), err)
	}
	return ""
}

// TestDyingInstanceNeverLooksLikeAnAnswer is a property test over both
// fronts and four clients (HTTP/1.1 GET, served by the event loops or
// the goroutine front; a POST with a small body, which the loops hand
// off; a 256 KiB upload, of which the instance reads a drawn part
// before it dies; HTTP/2): each case is one request to a new service whose instance
// dies at a drawn byte of its answer (drawDyingAnswer). The client's
// answer must pass judgeDyingAnswer, and the request must give its slot
// back.
func TestDyingInstanceNeverLooksLikeAnAnswer(t *testing.T) {
	// A service per case, shrinking's included.
	manyServices := func(c *config.Config) { c.MaxServicesPerUser, c.MaxInstancesPerUser = 100000, 100000 }
	loopRt, loopFr := startFrontRouter(t, dyingBackend(), manyServices)
	if loopFr == nil || loopFr.loops == nil {
		t.Fatal("the router built no event loops")
	}
	goRt, _ := startFrontRouter(t, dyingBackend(), goroutineFront, manyServices)
	routers := []*testRouter{loopRt, goRt}
	h2 := h2cClient(t)
	cases := 0
	rapid.Check(t, func(rt *rapid.T) {
		r := routers[rapid.IntRange(0, 1).Draw(rt, "front")] // 0: the event loops, 1: the goroutine front
		client := rapid.SampledFrom([]string{"GET", "POST", "upload", "h2"}).Draw(rt, "client")
		a := drawDyingAnswer(rt)
		if client == "upload" {
			a.take = rapid.IntRange(0, uploadBytes).Draw(rt, "take")
		}
		cases++
		svc := service(fmt.Sprintf("dying%d", cases))
		// The service's instance is started first: the request under
		// test must meet an instance, not the queue of a cold start.
		if status, body := read(t, r.call(t, "GET", "/", nil, svc...)); status != 200 || body != "ok" {
			rt.Fatalf("starting the service: %d %q", status, body)
		}
		var status int
		var body string
		var readErr error
		switch client {
		case "h2":
			req, _ := http.NewRequest("GET", r.url+"/die?"+a.query(), nil)
			setHeaders(req, svc)
			resp, err := h2.Do(req)
			if err != nil {
				if problem := judgeNoAnswer(a, err); problem != "" {
					rt.Fatalf("h2: %s", problem)
				}
				break
			}
			b, err := io.ReadAll(resp.Body)
			_ = resp.Body.Close()
			status, body, readErr = resp.StatusCode, string(b), err
		default:
			c, err := net.Dial("tcp", strings.TrimPrefix(r.url, "http://"))
			if err != nil {
				rt.Fatal(err)
			}
			defer c.Close()
			_ = c.SetDeadline(time.Now().Add(20 * time.Second))
			method := client
			head := " /die?" + a.query() + " HTTP/1.1\r\nHost: h\r\n" + headerLines(svc)
			switch client {
			case "POST":
				head += "Content-Length: 5\r\n\r\nhello"
			case "upload":
				method = "POST"
				head += "Content-Length: " + strconv.Itoa(uploadBytes) + "\r\n\r\n"
			default:
				head += "\r\n"
			}
			if _, err := io.WriteString(c, method+head); err != nil {
				rt.Fatal(err)
			}
			if client == "upload" {
				// The body goes out beside the answer's read: the
				// instance may die before it has read it all.
				go func() { _, _ = c.Write(make([]byte, uploadBytes)) }()
			}
			resp, err := http.ReadResponse(bufio.NewReader(c), &http.Request{Method: method})
			if err != nil {
				if problem := judgeNoAnswer(a, err); problem != "" {
					rt.Fatalf("%s: %s", client, problem)
				}
				break
			}
			b, err := io.ReadAll(resp.Body)
			status, body, readErr = resp.StatusCode, string(b), err
		}
		if status != 0 { // 0: no answer, and rightly so (judgeNoAnswer)
			if problem := judgeDyingAnswer(a, status, body, readErr); problem != "" {
				rt.Fatalf("%s (answer %d bytes, chunks %v, cut %d, head %d, reset %v)", problem, len(a.wire()), a.chunks, a.cut, a.headLen(), a.reset)
			}
		}
		if state := r.waitReleased(t, r.serviceID(t, svc)); state != "" {
			rt.Fatalf("the router still holds the request:\n%s", state)
		}
	})
}
