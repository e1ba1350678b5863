package h1serve

import (
	"bufio"
	"bytes"
	"net/http"
	"testing"
	"time"

	"github.com/waiter-go/waiter/internal/headername"
	"github.com/waiter-go/waiter/internal/strarena"
)

// BenchmarkHeadParse is the fast parser on the two heads proxybench's
// wrk sends (the service named by a token, and described in ten
// x-waiter-* headers), as the event loops parse them (Head with its own
// arena and name cache, the head's end already found), against http.ReadRequest on the
// same bytes in the same run: x-readrequest is the fast parser's time
// over ReadRequest's.
func BenchmarkHeadParse(b *testing.B) {
	for _, c := range []struct{ name, head string }{
		{"token", "GET /hello HTTP/1.1\r\nHost: 127.0.0.1:9091\r\nx-waiter-token: kit\r\nUser-Agent: wrk\r\nAccept: */*\r\n\r\n"},
		{"headers", "GET /hello HTTP/1.1\r\nHost: 127.0.0.1:9091\r\nx-waiter-cmd: kitchen\r\nx-waiter-cmd-type: shell\r\n" +
			"x-waiter-cpus: 0.1\r\nx-waiter-mem: 64\r\nx-waiter-version: v1\r\nx-waiter-name: kit\r\nx-waiter-concurrency-level: 256\r\n" +
			"x-waiter-min-instances: 1\r\nx-waiter-max-instances: 1\r\nUser-Agent: wrk\r\nAccept: */*\r\n\r\n"},
	} {
		raw := []byte(c.head)
		end := bytes.Index(raw, crlfcrlf)
		b.Run(c.name, func(b *testing.B) {
			h := Head{Strings: new(strarena.Arena), Names: new(headername.Cache)}
			var base http.Request
			b.ReportAllocs()
			start := time.Now()
			for b.Loop() {
				if _, _, ok := h.ParseTo(raw, end, &base); !ok {
					b.Fatal("not taken")
				}
			}
			fast := time.Since(start)
			rd := bytes.NewReader(raw)
			br := bufio.NewReader(rd)
			start = time.Now()
			for range b.N {
				rd.Reset(raw)
				br.Reset(rd)
				if _, err := http.ReadRequest(br); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(fast)/float64(time.Since(start)), "x-readrequest")
		})
	}
}
