package peerauth

import (
	"bytes"
	"errors"
	"strings"
	"testing"
)

func TestHeaderRoundTrip(t *testing.T) {
	c := Credentials{From: "router a,b=c%", To: "r2", UnixMilli: 1764727200000,
		Nonce: bytes.Repeat([]byte{7}, nonceLen), Sig: bytes.Repeat([]byte{9}, sigLen)}
	got, err := ParseHeader(c.String())
	if err != nil {
		t.Fatal(err)
	}
	if got.From != c.From || got.To != c.To || got.UnixMilli != c.UnixMilli ||
		!bytes.Equal(got.Nonce, c.Nonce) || !bytes.Equal(got.Sig, c.Sig) {
		t.Fatalf("round trip: %+v != %+v", got, c)
	}
}

func TestParseHeaderRefuses(t *testing.T) {
	good := Credentials{From: "a", To: "b", UnixMilli: 1, Nonce: make([]byte, nonceLen), Sig: make([]byte, sigLen)}.String()
	for name, v := range map[string]string{
		"empty":         "",
		"other scheme":  strings.Replace(good, "v1 ", "v2 ", 1),
		"missing field": strings.Replace(good, ",to=b", "", 1),
		"repeated":      good + ",to=c",
		"unknown":       good + ",x=1",
		"no value":      good + ",x",
		"short nonce":   strings.Replace(good, "nonce=", "nonce=A", 1),
		// The right number of characters, but the decoder skips CR and
		// LF: 31 bytes of signature, 15 of nonce.
		"CR in sig":     strings.Replace(good, "sig=A", "sig=\r", 1),
		"CRLF in nonce": strings.Replace(good, "nonce=AA", "nonce=\r\n", 1),
		// The last character's unused bits set: a second spelling of
		// the same bytes.
		"non-canonical sig": strings.Replace(good, "sig="+strings.Repeat("A", 43), "sig="+strings.Repeat("A", 42)+"B", 1),
		"bad ts":            strings.Replace(good, "ts=1", "ts=-1", 1),
		"bad escape":        strings.Replace(good, "from=a", "from=%4", 1),
		"huge":              good + strings.Repeat(" ", maxHeaderSz),
	} {
		if _, err := ParseHeader(v); !errors.Is(err, ErrMalformed) {
			t.Errorf("%s: err = %v; want ErrMalformed", name, err)
		}
	}
}

// FuzzParseHeader: any input parses or is refused with ErrMalformed, never
// a panic; what parses formats back to something that parses the same.
func FuzzParseHeader(f *testing.F) {
	f.Add(Credentials{From: "a", To: "b", UnixMilli: 1, Nonce: make([]byte, nonceLen), Sig: make([]byte, sigLen)}.String())
	f.Add("v1 from=%41,to=b,ts=1,nonce=,sig=")
	f.Add("v1 ,,,=")
	f.Fuzz(func(t *testing.T, v string) {
		c, err := ParseHeader(v)
		if err != nil {
			if !errors.Is(err, ErrMalformed) {
				t.Fatalf("error %v does not wrap ErrMalformed", err)
			}
			return
		}
		again, err := ParseHeader(c.String())
		if err != nil || again.From != c.From || again.To != c.To || again.UnixMilli != c.UnixMilli ||
			!bytes.Equal(again.Nonce, c.Nonce) || !bytes.Equal(again.Sig, c.Sig) {
			t.Fatalf("reformatted %q: %+v, %v", c.String(), again, err)
		}
	})
}
