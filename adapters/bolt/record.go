package bolt

import (
	"encoding/binary"
	"fmt"
	"hash/crc32"
)

// Every value in the data buckets (schema version 2) is sealed:
//
//	byte 0     record format, recordFormatCRC32C
//	bytes 1-4  CRC-32C, big-endian, of the record's scope, key and payload
//	bytes 5-   payload (JSON, or empty for the owner index)
//
// bbolt checksums only its meta pages, so a flipped bit in a page that
// holds a token would otherwise be served as a valid token. CRC-32C
// (Castagnoli) detects every error of up to 32 flipped bits in a row and
// runs at memory speed (it is a CPU instruction on amd64 and arm64); the
// threat is damage, not forgery, so a cryptographic hash would buy
// nothing for its cost. The sum covers the bucket path and the key as
// well as the payload, so a damaged key, or a record that ends up under
// another key or bucket, fails the check too. The meta bucket stays plain:
// it is read to learn the schema version before any record is opened.
const (
	recordFormatCRC32C byte = 1
	// recordHeaderSize is the format byte and the 4-byte sum.
	recordHeaderSize int = 5
)

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// scope is the checksum state after a bucket path: each bucket name is
// length-prefixed, so ("ab", "c") and ("a", "bc") differ.
type scope struct{ crc uint32 }

func scopeOf(buckets ...[]byte) scope {
	var c uint32
	for _, b := range buckets {
		c = sumLengthPrefixed(c, b)
	}
	return scope{c}
}

// sumLengthPrefixed adds len(b) as a uvarint and then b to the checksum.
// The length's bytes go in one at a time: a slice of them would escape to
// the heap through crc32.Update, and the page walk sums every record.
func sumLengthPrefixed(c uint32, b []byte) uint32 {
	n := uint64(len(b))
	for ; n >= 0x80; n >>= 7 {
		c = sumByte(c, byte(n)|0x80)
	}
	c = sumByte(c, byte(n))
	return crc32.Update(c, castagnoli, b)
}

// sumByte is crc32.Update(c, castagnoli, []byte{b}), by the table.
func sumByte(c uint32, b byte) uint32 {
	c = ^c
	c = castagnoli[byte(c)^b] ^ (c >> 8)
	return ^c
}

// sum is the checksum of one record: its key (length-prefixed) and then
// its payload.
func (s scope) sum(key, payload []byte) uint32 {
	return crc32.Update(sumLengthPrefixed(s.crc, key), castagnoli, payload)
}

// seal returns the stored form of payload under key.
func (s scope) seal(key, payload []byte) []byte {
	out := make([]byte, recordHeaderSize+len(payload))
	out[0] = recordFormatCRC32C
	binary.BigEndian.PutUint32(out[1:recordHeaderSize], s.sum(key, payload))
	copy(out[recordHeaderSize:], payload)
	return out
}

// open checks a stored value and returns its payload, which aliases
// value. The error describes the damage; callers name the record.
func (s scope) open(key, value []byte) ([]byte, error) {
	if len(value) < recordHeaderSize {
		return nil, fmt.Errorf("record is %d bytes, shorter than its %d-byte header", len(value), recordHeaderSize)
	}
	if value[0] != recordFormatCRC32C {
		return nil, fmt.Errorf("record format byte is %#x, want %#x", value[0], recordFormatCRC32C)
	}
	payload := value[recordHeaderSize:]
	stored, computed := binary.BigEndian.Uint32(value[1:recordHeaderSize]), s.sum(key, payload)
	if stored != computed {
		return nil, fmt.Errorf("checksum mismatch (stored %08x, computed %08x)", stored, computed)
	}
	return payload, nil
}

// Scopes of the records with a fixed bucket path.
var (
	scopeTokens     = scopeOf(bucketTokens)
	scopeServices   = scopeOf(bucketServices)
	scopeOverrides  = scopeOf(bucketOverrides)
	scopeSuspension = scopeOf(bucketSuspension)
	scopeSources    = scopeOf(bucketSourceTokens)
)

func historyScope(token string) scope { return scopeOf(bucketTokenHistory, []byte(token)) }

func ownerScope(owner string) scope { return scopeOf(bucketTokenOwners, []byte(owner)) }
