// Package h1frame frames the HTTP/1.1 messages proxybench's bare
// event-loop proxies relay: where one message ends in a buffer, and the
// little of its head a proxy needs. It does only what the kitchen sends:
// requests with or without a Content-Length body, responses with one;
// anything else is reported bad.
package h1frame

import (
	"bytes"
	"strconv"
)

// Bounds on what the proxy buffers of one message: a head that has not
// ended within MaxHead, or a body longer than MaxBody, is refused (bad).
const (
	MaxHead = 64 << 10
	MaxBody = 64 << 20
)

// Message is where one HTTP/1.1 message ends in a buffer and what the
// proxy needs from its head.
type Message struct {
	N                  int  // the whole message's length: head and body
	Close              bool // Connection: close
	ConnStart, ConnEnd int  // the Connection header line (-1: none)
	Bad                bool // framing the proxy does not do (Transfer-Encoding; a response without Content-Length; past the bounds)
}

// Frame finds the first message in buf; ok is false while it is not
// whole (m.N is then its length once its head is in, else 0). A request without Content-Length has no body; a response must
// have one.
func Frame(buf []byte, request bool) (m Message, ok bool) {
	end := bytes.Index(buf, []byte("\r\n\r\n"))
	if end < 0 || end > MaxHead {
		m.Bad = len(buf) > MaxHead
		return m, m.Bad
	}
	head := buf[:end+2]
	m.ConnStart, m.ConnEnd = -1, -1
	length, haveLength := 0, false
	for i := bytes.Index(head, []byte("\r\n")) + 2; i < len(head); {
		j := i + bytes.Index(head[i:], []byte("\r\n"))
		name, value, _ := bytes.Cut(head[i:j], []byte(":"))
		value = bytes.TrimSpace(value)
		switch {
		case bytes.EqualFold(name, []byte("Content-Length")):
			n, err := strconv.Atoi(string(value))
			if err != nil || n < 0 || n > MaxBody || haveLength {
				m.Bad = true
			}
			length, haveLength = n, true
		case bytes.EqualFold(name, []byte("Transfer-Encoding")):
			m.Bad = true
		case bytes.EqualFold(name, []byte("Connection")):
			m.Close = bytes.EqualFold(value, []byte("close"))
			m.ConnStart, m.ConnEnd = i, j+2
		}
		i = j + 2
	}
	if !request && !haveLength {
		m.Bad = true
	}
	m.N = end + 4 + length
	if m.Bad {
		return m, true
	}
	return m, len(buf) >= m.N
}
