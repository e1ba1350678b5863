package serve

// The clients of TestAbandonedRequestsGiveTheirSlotBack: the ways they
// leave, the fronts they call, and how each plays its part.

import (
	"bufio"
	"context"
	"crypto/tls"
	"fmt"
	"io"
	"net"
	"net/http"
	"strconv"
	"strings"
	"time"

	"pgregory.net/rapid"
)

// The ways a client leaves (or, for complete, does not).
const (
	leaveInHead      = "in the head"
	leaveWaiting     = "waiting for the answer"
	leaveInUpload    = "in the upload"
	leaveInChunks    = "in a chunked upload"
	leaveInAnswer    = "in the answer"
	stayToTheEnd     = "complete"
	leaveInHandshake = "in the TLS handshake"
	leaveWSUpgrade   = "ws: in the upgrade"
	leaveWSInFrame   = "ws: in a frame"
	stayWSToTheEnd   = "ws: complete"
	leaveH2Waiting   = "h2: waiting for the answer"
	leaveH2InUpload  = "h2: in the upload"
	leaveH2InAnswer  = "h2: in the answer"
	stayH2ToTheEnd   = "h2: complete"
)

// abandoner is one drawn client.
type abandoner struct {
	way   string
	delay time.Duration // before it leaves
	hold  int           // /hold's milliseconds
	cut   float64       // how much of the head, upload or answer it sends or reads
	reset bool          // leaves with a TCP reset rather than a close
}

func drawAbandoner(t *rapid.T, i int) abandoner {
	return abandoner{
		way: rapid.SampledFrom([]string{leaveInHead, leaveWaiting, leaveInUpload, leaveInChunks, leaveInAnswer, stayToTheEnd,
			leaveWSUpgrade, leaveWSInFrame, stayWSToTheEnd, leaveInHandshake,
			leaveH2Waiting, leaveH2InUpload, leaveH2InAnswer, stayH2ToTheEnd}).Draw(t, fmt.Sprint("way", i)),
		delay: time.Duration(rapid.IntRange(0, 15).Draw(t, fmt.Sprint("delayMs", i))) * time.Millisecond,
		hold:  rapid.IntRange(0, 15).Draw(t, fmt.Sprint("holdMs", i)),
		cut:   rapid.Float64Range(0, 1).Draw(t, fmt.Sprint("cut", i)),
		reset: rapid.Bool().Draw(t, fmt.Sprint("reset", i)),
	}
}

// runH1 plays a on a connection of its own and returns what went wrong
// ("" if nothing did).
func (a abandoner) runH1(front abandonFront) string {
	if a.way == leaveInHandshake {
		return a.leaveInHandshake(front)
	}
	c, err := front.dial()
	if err != nil {
		return err.Error()
	}
	defer leave(c, a.reset)
	_ = c.SetDeadline(time.Now().Add(20 * time.Second))
	fields := "Host: h\r\n" + headerLines(abandonService()) + "x-waiter-queue-timeout: 20000\r\n"
	hold := "GET /hold?ms=" + strconv.Itoa(a.hold) + " HTTP/1.1\r\n" + fields + "\r\n"
	upload := strings.Repeat("u", 64<<10)
	sent := int(a.cut * float64(len(upload)))
	var out string
	switch a.way {
	case leaveInHead:
		out = hold[:int(a.cut*float64(len(hold)-1))]
	case leaveWaiting:
		out = hold
	case leaveInUpload:
		out = "POST /echo HTTP/1.1\r\n" + fields + "Content-Length: " + strconv.Itoa(len(upload)) + "\r\n\r\n" + upload[:sent]
	case leaveInChunks:
		out = "POST /echo HTTP/1.1\r\n" + fields + "Transfer-Encoding: chunked\r\n\r\n" +
			strconv.FormatInt(int64(sent+1), 16) + "\r\n" + upload[:sent] // one byte short of the chunk
	case leaveInAnswer:
		out = "GET /drip HTTP/1.1\r\n" + fields + "\r\n"
	case stayToTheEnd:
		out = hold
	case leaveWSUpgrade, leaveWSInFrame, stayWSToTheEnd:
		out = "GET /ws HTTP/1.1\r\n" + fields + "Upgrade: websocket\r\nConnection: Upgrade\r\n" +
			"Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n"
	}
	if _, err := io.WriteString(c, out); err != nil {
		return "sending: " + err.Error()
	}
	switch a.way {
	case leaveWSInFrame, stayWSToTheEnd:
		br := bufio.NewReader(c)
		resp, err := http.ReadResponse(br, &http.Request{Method: "GET"})
		if err != nil || resp.StatusCode != http.StatusSwitchingProtocols {
			return fmt.Sprintf("websocket upgrade answered %v (%v)", resp, err)
		}
		frame := maskedTextFrame("hello over the router")
		if a.way == leaveWSInFrame {
			_, _ = c.Write(frame[:int(a.cut*float64(len(frame)-1))])
			break
		}
		if _, err := c.Write(frame); err != nil {
			return "websocket: sending: " + err.Error()
		}
		echo := make([]byte, 2+len("hello over the router"))
		if _, err := io.ReadFull(br, echo); err != nil || string(echo[2:]) != "hello over the router" {
			return fmt.Sprintf("websocket: echoed %q (%v)", echo, err)
		}
		return ""
	case leaveInAnswer:
		// Read part of the answer (64 KiB of body), then leave.
		_, _ = io.CopyN(io.Discard, c, int64(a.cut*64*1024))
	case stayToTheEnd:
		resp, err := http.ReadResponse(bufio.NewReader(c), &http.Request{Method: "GET"})
		if err != nil {
			return "reading the answer: " + err.Error()
		}
		b, err := io.ReadAll(resp.Body)
		if want := "held " + strconv.Itoa(a.hold); err != nil || resp.StatusCode != 200 || string(b) != want {
			return fmt.Sprintf("answered %d %q (%v), want 200 %q", resp.StatusCode, b, err, want)
		}
		return ""
	}
	time.Sleep(a.delay)
	return ""
}

// abandonFront is where the clients go: a router's listener, plain or
// TLS (tlsConf set), its base URL, and its client for HTTP/2 streams.
type abandonFront struct {
	addr    string
	tlsConf *tls.Config
	url     string
	h2      *http.Client
}

// dial connects to the front, with its TLS handshake done.
func (f abandonFront) dial() (net.Conn, error) {
	if f.tlsConf == nil {
		return net.Dial("tcp", f.addr)
	}
	return tls.DialWithDialer(&net.Dialer{Timeout: 10 * time.Second}, "tcp", f.addr, f.tlsConf)
}

// leave closes c, with a TCP reset when reset.
func leave(c net.Conn, reset bool) {
	if reset {
		raw := c
		if tc, ok := c.(*tls.Conn); ok {
			raw = tc.NetConn()
		}
		_ = raw.(*net.TCPConn).SetLinger(0)
	}
	_ = c.Close()
}

// leaveInHandshake sends part of a TLS ClientHello (on a plain front,
// bytes that are no HTTP) and leaves.
func (a abandoner) leaveInHandshake(front abandonFront) string {
	c, err := net.Dial("tcp", front.addr)
	if err != nil {
		return err.Error()
	}
	defer leave(c, a.reset)
	hello := clientHello()
	_, _ = c.Write(hello[:int(a.cut*float64(len(hello)-1))])
	time.Sleep(a.delay)
	return ""
}

// clientHello is the first flight of a TLS handshake as crypto/tls
// writes it.
func clientHello() []byte {
	client, server := net.Pipe()
	defer server.Close()
	go func() {
		_ = tls.Client(client, &tls.Config{ServerName: "router.test", MinVersion: tls.VersionTLS12}).Handshake()
		_ = client.Close()
	}()
	buf := make([]byte, 8<<10)
	n, _ := server.Read(buf)
	return buf[:n]
}

// maskedTextFrame is msg (under 126 bytes) as a client's websocket text
// frame, masked as a client's must be.
func maskedTextFrame(msg string) []byte {
	key := [4]byte{1, 2, 3, 4}
	frame := append([]byte{0x81, 0x80 | byte(len(msg))}, key[:]...)
	for i := range len(msg) {
		frame = append(frame, msg[i]^key[i%4])
	}
	return frame
}

// runH2 plays a as one stream of client's HTTP/2 connection (h2c) and
// returns what went wrong.
func (a abandoner) runH2(client *http.Client, url string) string {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var req *http.Request
	switch a.way {
	case leaveH2InUpload:
		pr, pw := io.Pipe()
		go func() {
			_, _ = pw.Write(make([]byte, int(a.cut*64*1024)))
			time.Sleep(a.delay)
			cancel()
			_ = pw.CloseWithError(context.Canceled)
		}()
		req, _ = http.NewRequestWithContext(ctx, "POST", url+"/echo", pr)
		req.ContentLength = 64 << 10
	case leaveH2InAnswer:
		req, _ = http.NewRequestWithContext(ctx, "GET", url+"/drip", nil)
	default:
		req, _ = http.NewRequestWithContext(ctx, "GET", url+"/hold?ms="+strconv.Itoa(a.hold), nil)
	}
	setHeaders(req, append(abandonService(), "x-waiter-queue-timeout", "20000"))
	if a.way == leaveH2Waiting {
		time.AfterFunc(a.delay, cancel)
	}
	resp, err := client.Do(req)
	if err != nil {
		if a.way == stayH2ToTheEnd {
			return "h2: " + err.Error()
		}
		return "" // left before the answer came
	}
	defer resp.Body.Close()
	switch a.way {
	case leaveH2InAnswer:
		_, _ = io.CopyN(io.Discard, resp.Body, int64(a.cut*64*1024))
		cancel()
	case stayH2ToTheEnd:
		b, err := io.ReadAll(resp.Body)
		if want := "held " + strconv.Itoa(a.hold); err != nil || resp.StatusCode != 200 || string(b) != want || resp.ProtoMajor != 2 {
			return fmt.Sprintf("h2: answered %s %d %q (%v), want HTTP/2 200 %q", resp.Proto, resp.StatusCode, b, err, want)
		}
	default:
		_, _ = io.Copy(io.Discard, resp.Body)
	}
	return ""
}
