package waiterhttp

import (
	"bufio"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/valyala/fasthttp"
)

// The streaming watchdog is skipped only for a body that cannot make the
// read wait: a fast answer whose remaining bytes are all buffered.
func TestInMemoryBody(t *testing.T) {
	body := func(buffered string, contentLength int) *fastBody {
		br := bufio.NewReader(strings.NewReader(buffered))
		_, _ = br.Peek(len(buffered))
		resp := &fasthttp.Response{}
		resp.Header.SetContentLength(contentLength)
		return &fastBody{conn: &fastConn{br: br}, resp: resp, stream: br}
	}
	for _, c := range []struct {
		name string
		body io.ReadCloser
		want bool
	}{
		{"whole body buffered", body("hello", 5), true},
		{"more to come from the backend", body("hell", 5), false},
		{"chunked", body("5\r\nhello\r\n0\r\n\r\n", -1), false},
		{"read already", &fastBody{done: true}, true},
		{"net/http's body", http.NoBody, false},
	} {
		if got := inMemory(c.body); got != c.want {
			t.Errorf("%s: inMemory %v, want %v", c.name, got, c.want)
		}
	}
}
