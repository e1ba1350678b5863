package h1serve

import (
	"net/http"
	"strconv"
)

// RelaysAsIs reports whether the server would frame an answer to req
// with this status, whose header gives a Content-Length of length bytes
// (hasType: and a Content-Type), as the header says: the Content-Length
// kept, nothing sniffed, no transfer coding. A front that holds such an
// answer's bytes (the router's event loop) may then pass its head, with
// the header edits its proxy makes (AppendStatusLine, AppendDate when
// the header has no Date, Connection: close when req.Close), and its
// body as they came, instead of framing it through a Buffered: the
// client gets the same answer. HEAD and answers without a body are left
// to Buffered, which drops what they must not carry.
func RelaysAsIs(req *http.Request, status int, length int64, hasType bool) bool {
	if req.Method == http.MethodHead || length < 0 || !statusAllowsBody(status) {
		return false
	}
	// A body without a Content-Type gets a sniffed one (commit): an
	// empty body is not sniffed.
	return hasType || length == 0
}

// AppendStatusLine appends the status line the server writes for code
// (its reason phrase the standard one, not the handler's).
func AppendStatusLine(dst []byte, code int) []byte {
	// The code digit by digit (WriteHeader takes 100 to 999 only):
	// strconv.Itoa makes a string of every code from 100 up.
	dst = append(dst, "HTTP/1.1 "...)
	dst = append(dst, byte('0'+code/100), byte('0'+code/10%10), byte('0'+code%10), ' ')
	if text := http.StatusText(code); text != "" {
		dst = append(dst, text...)
	} else {
		dst = append(dst, "status code "...)
		dst = strconv.AppendInt(dst, int64(code), 10)
	}
	return append(dst, "\r\n"...)
}

// AppendDate appends the Date header line the server adds to an answer
// that has none.
func AppendDate(dst []byte) []byte {
	dst = append(dst, "Date: "...)
	dst = append(dst, httpDate()...)
	return append(dst, "\r\n"...)
}
