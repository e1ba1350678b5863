package jwt

import (
	"crypto"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"strings"
	"testing"
	"time"
)

// BenchmarkAuthenticate measures one bearer token's whole check (parse,
// key lookup, RS256 signature, claims). Its baseline, measured in the same
// run, is the bare RSA-2048 PKCS#1 v1.5 verification of the same token's
// signature: what any verifier must pay, so the ratio is jwx's overhead.
func BenchmarkAuthenticate(b *testing.B) {
	clk := newClock()
	k1 := newRSASigner(b, "k1")
	a, _ := fileAuthenticator(b, clk, nil, k1)
	token := k1.sign(b, claims(clk.Now()))
	r := bearerRequest(token)

	dot := strings.LastIndexByte(token, '.')
	sig, err := base64.RawURLEncoding.DecodeString(token[dot+1:])
	if err != nil {
		b.Fatal(err)
	}
	digest := sha256.Sum256([]byte(token[:dot]))
	baseline := measure(func(n int) {
		for i := 0; i < n; i++ {
			if err := rsa.VerifyPKCS1v15(&k1.rsa.PublicKey, crypto.SHA256, digest[:], sig); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := a.Authenticate(r); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	perOp := float64(b.Elapsed().Nanoseconds()) / float64(b.N)
	b.ReportMetric(perOp/baseline, "x-rsa-verify")
}

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
