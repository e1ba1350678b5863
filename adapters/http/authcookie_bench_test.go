package waiterhttp

import (
	"crypto/hmac"
	"crypto/sha256"
	"testing"
	"time"
)

// BenchmarkAuthCookie measures what a cookie costs the router per
// request: sealing one after a login and opening it on the next request.
// Its baseline, measured in the same run, is an HMAC-SHA256 of the same
// payload: what a signed (not encrypted) cookie would cost at least.
func BenchmarkAuthCookie(b *testing.B) {
	c, err := newAuthCookies([]byte("0123456789abcdef0123456789abcdef"), "bench", 0)
	if err != nil {
		b.Fatal(err)
	}
	now := time.Unix(1_800_000_000, 0)
	p := Principal{User: "alice", Method: "spnego"}
	payload := []byte(`{"user":"alice","method":"spnego","expires-at":1800086400}`)
	baseline := measure(func(n int) {
		for i := 0; i < n; i++ {
			mac := hmac.New(sha256.New, payload[:32])
			mac.Write(payload)
			benchSink += int(mac.Sum(nil)[0])
		}
	})
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		v, _ := c.seal(p, now)
		if got, problem := c.open(v, now); problem != "" || got.User != "alice" {
			b.Fatalf("open: %q %+v", problem, got)
		}
	}
	b.StopTimer()
	perOp := float64(b.Elapsed().Nanoseconds()) / float64(b.N)
	b.ReportMetric(perOp/baseline, "x-hmac-baseline")
}

var benchSink int

// measure times f over a growing number of iterations until the run takes
// at least 100 ms and returns nanoseconds per iteration.
func measure(f func(n int)) float64 {
	for n := 1; ; n *= 4 {
		start := time.Now()
		f(n)
		if d := time.Since(start); d >= 100*time.Millisecond {
			return float64(d.Nanoseconds()) / float64(n)
		}
	}
}
