package bolt

import (
	"bytes"
	"hash/crc32"
	"testing"
)

// TestSeal_EveryBitFlipDetected flips each bit of a sealed record in turn
// (header, checksum and payload) and checks each flip is caught, and that
// the same bytes fail under another key or bucket.
func TestSeal_EveryBitFlipDetected(t *testing.T) {
	key := []byte("app")
	payload := []byte(`{"data":{"cmd":"kitchen -p $PORT0","cpus":1,"owner":"alice"},"etag":"E-0123"}`)
	sealed := scopeTokens.seal(key, payload)
	got, err := scopeTokens.open(key, sealed)
	if err != nil || !bytes.Equal(got, payload) {
		t.Fatalf("open(seal(p)) = %q, %v", got, err)
	}
	for i := range len(sealed) * 8 {
		bad := bytes.Clone(sealed)
		bad[i/8] ^= 1 << (i % 8)
		if _, err := scopeTokens.open(key, bad); err == nil {
			t.Fatalf("flipping bit %d of byte %d went undetected", i%8, i/8)
		}
	}
	for _, other := range []struct {
		name string
		sc   scope
		key  []byte
	}{
		{"another key", scopeTokens, []byte("apq")},
		{"another bucket", scopeServices, key},
		{"a history entry", historyScope("app"), key},
		{"path split differently", scopeOf([]byte("tokensa"), []byte("pp")), nil},
	} {
		if _, err := other.sc.open(other.key, sealed); err == nil {
			t.Errorf("the record opened under %s", other.name)
		}
	}
	if _, err := scopeTokens.open(key, sealed[:recordHeaderSize-1]); err == nil {
		t.Error("a record shorter than its header opened")
	}
}

// TestSumLengthPrefixed_MatchesCRC32 checks the byte-at-a-time length
// prefix sums what crc32.Update over the encoded uvarint would.
func TestSumLengthPrefixed_MatchesCRC32(t *testing.T) {
	for _, n := range []int{0, 1, 127, 128, 300, 1 << 20} {
		b := bytes.Repeat([]byte{'x'}, n)
		var prefix []byte
		for v := uint64(n); ; v >>= 7 {
			if v < 0x80 {
				prefix = append(prefix, byte(v))
				break
			}
			prefix = append(prefix, byte(v)|0x80)
		}
		want := crc32Update(crc32Update(7, prefix), b)
		if got := sumLengthPrefixed(7, b); got != want {
			t.Fatalf("len %d: got %08x, want %08x", n, got, want)
		}
	}
}

func crc32Update(c uint32, p []byte) uint32 { return crc32.Update(c, castagnoli, p) }
