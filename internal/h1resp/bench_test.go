package h1resp

import "testing"

func BenchmarkParseHead(b *testing.B) {
	buf := []byte(typicalHead)
	var fields []Field
	b.SetBytes(int64(len(buf)))
	b.ReportAllocs()
	for b.Loop() {
		h, ok, err := ParseHead(buf, false, fields, maxHeadForTests)
		if !ok || err != nil {
			b.Fatalf("ParseHead: ok %v, %v", ok, err)
		}
		fields = h.Fields
	}
}

func BenchmarkChunked(b *testing.B) {
	body := []byte("1000\r\n" + string(make([]byte, 4096)) + "\r\n5;a=b\r\nhello\r\n0\r\nX: y\r\n\r\n")
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	for b.Loop() {
		var c Chunked
		if _, done, err := c.Scan(body); !done || err != nil {
			b.Fatalf("Scan: %v, %v", done, err)
		}
	}
}
