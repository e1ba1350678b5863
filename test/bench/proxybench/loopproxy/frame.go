package main

import (
	"bytes"
	"strconv"
)

// Bounds on what the proxy buffers of one message: a head that has not
// ended within maxHead, or a body longer than maxBody, is refused (bad).
const (
	maxHead = 64 << 10
	maxBody = 64 << 20
)

// message is where one HTTP/1.1 message ends in a buffer and what the
// proxy needs from its head.
type message struct {
	n                  int  // the whole message's length: head and body
	close              bool // Connection: close
	connStart, connEnd int  // the Connection header line (-1: none)
	bad                bool // framing the proxy does not do (Transfer-Encoding; a response without Content-Length; past the bounds)
}

// frame finds the first message in buf; ok is false while it is not
// whole (m.n is then its length once its head is in, else 0). A request without Content-Length has no body; a response must
// have one.
func frame(buf []byte, request bool) (m message, ok bool) {
	end := bytes.Index(buf, []byte("\r\n\r\n"))
	if end < 0 || end > maxHead {
		m.bad = len(buf) > maxHead
		return m, m.bad
	}
	head := buf[:end+2]
	m.connStart, m.connEnd = -1, -1
	length, haveLength := 0, false
	for i := bytes.Index(head, []byte("\r\n")) + 2; i < len(head); {
		j := i + bytes.Index(head[i:], []byte("\r\n"))
		name, value, _ := bytes.Cut(head[i:j], []byte(":"))
		value = bytes.TrimSpace(value)
		switch {
		case bytes.EqualFold(name, []byte("Content-Length")):
			n, err := strconv.Atoi(string(value))
			if err != nil || n < 0 || n > maxBody || haveLength {
				m.bad = true
			}
			length, haveLength = n, true
		case bytes.EqualFold(name, []byte("Transfer-Encoding")):
			m.bad = true
		case bytes.EqualFold(name, []byte("Connection")):
			m.close = bytes.EqualFold(value, []byte("close"))
			m.connStart, m.connEnd = i, j+2
		}
		i = j + 2
	}
	if !request && !haveLength {
		m.bad = true
	}
	m.n = end + 4 + length
	if m.bad {
		return m, true
	}
	return m, len(buf) >= m.n
}
