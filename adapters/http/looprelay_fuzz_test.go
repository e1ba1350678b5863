package waiterhttp

import (
	"bufio"
	"bytes"
	"io"
	"net/http"
	"reflect"
	"strconv"
	"strings"
	"testing"

	"github.com/waiter-go/waiter/internal/h1resp"
	"github.com/waiter-go/waiter/internal/h1serve"
	"github.com/waiter-go/waiter/internal/headername"
)

// FuzzRelayHeadAsAnswer: whatever answer an instance sends, when
// RelayHead passes it as it came, the client reads the answer the map
// path gives (Answer, the body through the writer, Buffered's framing):
// the same status, the same values for each field name in order, the same
// body, framing and end of connection. fields is the answer's field
// lines, one per line.
func FuzzRelayHeadAsAnswer(f *testing.F) {
	for _, seed := range []struct {
		status      uint16
		fields      string
		body        string
		clientClose bool
	}{
		{200, "Content-Type: text/plain", "hello", false},
		{200, "Content-Type: text/plain\nConnection: close\nKeep-Alive: timeout=5", "bye", true},
		{404, "content-type: text/html\nX-Cid: theirs\nSet-Cookie: a=1\nset-cookie: b=2", "<p>no</p>", false},
		{503, "Content-Type: text/plain\nDate: Mon, 02 Jan 2006 15:04:05 GMT\nX-Multi: 1\nX-Multi: 2", "busy", false},
		{200, "Content-Type: text/plain\nConnection: X-Drop\nX-Drop: gone", "named", false},
		{200, "Content-Type: text/plain\nVia: 1.0 upstream", "via", false},
		{299, "X-Empty:\nContent-Type: a/b", "", false},
		{200, "", "", false},
		{200, "Transfer-Encoding: identity\nTrailer: X-T\nUpgrade: h2c\nProxy-Authenticate: Basic", "x", false},
	} {
		f.Add(seed.status, seed.fields, seed.body, seed.clientClose)
	}
	h := newLoopHarness(f)
	h.token("kit", map[string]any{"cmd": "kitchen", "cpus": 0.1, "mem": 64.0, "version": "v1"})
	h.serve(loopGet("x-waiter-token: kit")) // stores the service

	f.Fuzz(func(t *testing.T, status uint16, fields, body string, clientClose bool) {
		if status < 200 || status > 599 || strings.ContainsAny(fields, "\r") {
			return
		}
		raw := "HTTP/1.1 " + strconv.Itoa(int(status)) + " X\r\n"
		if fields != "" {
			raw += strings.ReplaceAll(fields, "\n", "\r\n") + "\r\n"
		}
		raw += "Content-Length: " + strconv.Itoa(len(body)) + "\r\n\r\n" + body
		head, ok, err := h1resp.ParseHead([]byte(raw), false, nil, 1<<16)
		if err != nil || !ok || head.Body != h1resp.BodyLength {
			return // refused or not a Content-Length answer: neither path takes it
		}
		req := loopGet("x-waiter-token: kit")
		if clientClose {
			req = loopGet("x-waiter-token: kit", "Connection: close")
		}

		relayed, relayClose, ok := h.answerOnLoop(t, req, func(call *LoopCall, _ *h1serve.Buffered) ([]byte, bool, bool) {
			out, closeAfter, ok := call.RelayHead(nil, head.Status, head.Fields, head.Length)
			return append(out, body...), closeAfter, ok
		})
		if !ok {
			return // RelayHead declined: the map path alone serves it
		}
		framed, framedClose, _ := h.answerOnLoop(t, req, func(call *LoopCall, resp *h1serve.Buffered) ([]byte, bool, bool) {
			hdr := http.Header{}
			for _, f := range head.Fields {
				k := headername.Canonical(string(f.Name))
				hdr[k] = append(hdr[k], string(f.Value))
			}
			call.Answer(head.Status, hdr)
			_, _ = io.WriteString(resp.Writer(), body)
			out, closeAfter := resp.Finish()
			return out, closeAfter, true
		})
		got, want := readAnswer(t, relayed), readAnswer(t, framed)
		if _, dated := want.Header["Date"]; dated && !hasField(head.Fields, "date") {
			delete(got.Header, "Date") // the router's own Date: the two may be a second apart
			delete(want.Header, "Date")
		}
		if !reflect.DeepEqual(got, want) || relayClose != framedClose {
			t.Errorf("answer %q\nrelayed (close %v):\n%+v\nframed (close %v):\n%+v", raw, relayClose, got, framedClose, want)
		}
	})
}

// answerOnLoop serves req on the loop to its instance's answer, which
// answer writes on call; it returns the bytes the client gets and
// whether the connection closes after them (ok: answer's).
func (h *loopHarness) answerOnLoop(t *testing.T, req string, answer func(*LoopCall, *h1serve.Buffered) ([]byte, bool, bool)) ([]byte, bool, bool) {
	t.Helper()
	var parser h1serve.Head
	var resp h1serve.Buffered
	r, _, ok := parser.Parse([]byte(req), &h.base)
	if !ok {
		t.Fatalf("unparsed request %q", req)
	}
	resp.Reset(r)
	defer resp.Release()
	if step := h.call.Begin(resp.Writer(), r, parser.Fields(), nil); step != LoopForward {
		t.Fatalf("step %d, want LoopForward", step)
	}
	_ = h.call.AppendRequest(nil)
	out, closeAfter, ok := answer(h.call, &resp)
	out = append([]byte(nil), out...)
	h.call.Finish(LoopComplete, 0)
	return out, closeAfter, ok
}

// clientAnswer is what a client reads of an answer, less the
// correlation id (each request's own).
type clientAnswer struct {
	Status           int
	Header           http.Header
	Body             string
	ContentLength    int64
	TransferEncoding []string
	Close            bool
}

func readAnswer(t *testing.T, raw []byte) clientAnswer {
	t.Helper()
	resp, err := http.ReadResponse(bufio.NewReader(bytes.NewReader(raw)), &http.Request{Method: http.MethodGet})
	if err != nil {
		t.Fatalf("%q: %v", raw, err)
	}
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("%q: %v", raw, err)
	}
	resp.Header.Del("X-Cid")
	return clientAnswer{Status: resp.StatusCode, Header: resp.Header, Body: string(body),
		ContentLength: resp.ContentLength, TransferEncoding: resp.TransferEncoding, Close: resp.Close}
}

func hasField(fields []h1resp.Field, lower string) bool {
	for _, f := range fields {
		if headername.EqualLower(f.Name, lower) {
			return true
		}
	}
	return false
}
