package bolt

import (
	"encoding/binary"
	"fmt"
)

// bbolt's page and element layout (go.etcd.io/bbolt internal/common
// page.go, bucket.go), read from byte slices with every offset checked, so
// a damaged page yields an error instead of an out-of-range read.
const (
	branchPageFlag   = 0x01
	leafPageFlag     = 0x02
	freelistPageFlag = 0x10
	elementSize      = 16 // branch: pos, ksize u32, pgid u64; leaf: flags, pos, ksize, vsize u32
	bucketLeafFlag   = 0x01
	bucketHeaderSize = 16 // root pgid u64, sequence u64; an inline bucket's page follows
	freelistCountMax = 0xFFFF
)

var ne = binary.NativeEndian

// pageHeader is the 16-byte header at the start of every page.
type pageHeader struct {
	id       uint64
	flags    uint16
	count    int
	overflow uint64
}

func parsePageHeader(b []byte) pageHeader {
	return pageHeader{
		id:       ne.Uint64(b[0:8]),
		flags:    ne.Uint16(b[8:10]),
		count:    int(ne.Uint16(b[10:12])),
		overflow: uint64(ne.Uint32(b[12:16])),
	}
}

// element is one decoded branch or leaf element. key and value alias the
// page buffer.
type element struct {
	key, value []byte
	child      uint64 // branch elements: the page below
	bucket     bool   // leaf elements: the value is a bucket header
}

// elements decodes the count elements of a branch or leaf page held in
// span (the page and its overflow pages; for an inline bucket, the
// bucket's value after its header) into buf, reusing its storage. Keys and
// values are located relative to their element, as bbolt does, and must
// lie inside span.
func elements(span []byte, h pageHeader, buf []element) ([]element, error) {
	end := uint64(pageHeaderSize) + uint64(h.count)*elementSize
	if end > uint64(len(span)) {
		return nil, fmt.Errorf("%d elements need %d bytes, the page has %d", h.count, end, len(span))
	}
	out := buf[:0]
	if cap(out) >= h.count {
		out = out[:h.count]
		clear(out)
	} else {
		out = make([]element, h.count)
	}
	for i := range out {
		at := uint64(pageHeaderSize) + uint64(i)*elementSize
		e := span[at : at+elementSize]
		var pos, ksize, vsize uint64
		switch h.flags {
		case branchPageFlag:
			pos, ksize = uint64(ne.Uint32(e[0:4])), uint64(ne.Uint32(e[4:8]))
			out[i].child = ne.Uint64(e[8:16])
		case leafPageFlag:
			flags := ne.Uint32(e[0:4])
			if flags&^bucketLeafFlag != 0 {
				return nil, fmt.Errorf("element %d has unknown flags %#x", i, flags)
			}
			out[i].bucket = flags == bucketLeafFlag
			pos, ksize, vsize = uint64(ne.Uint32(e[4:8])), uint64(ne.Uint32(e[8:12])), uint64(ne.Uint32(e[12:16]))
		default:
			return nil, fmt.Errorf("page type %#x has no elements", h.flags)
		}
		kstart := at + pos
		kend := kstart + ksize
		vend := kend + vsize
		if vend > uint64(len(span)) {
			return nil, fmt.Errorf("element %d's key and value (offset %d, %d+%d bytes) run past the page's %d bytes",
				i, kstart, ksize, vsize, len(span))
		}
		out[i].key = span[kstart:kend:kend]
		if h.flags == leafPageFlag {
			out[i].value = span[kend:vend:vend]
		}
	}
	return out, nil
}

// bucketHeader decodes a bucket value: its root page, or 0 and the inline
// page that follows the header.
func bucketHeader(value []byte) (root uint64, inline []byte, err error) {
	if len(value) < bucketHeaderSize {
		return 0, nil, fmt.Errorf("bucket header is %d bytes, want %d", len(value), bucketHeaderSize)
	}
	root = ne.Uint64(value[0:8])
	if root != 0 {
		return root, nil, nil
	}
	inline = value[bucketHeaderSize:]
	if len(inline) < pageHeaderSize {
		return 0, nil, fmt.Errorf("inline bucket is %d bytes, shorter than a page header", len(inline))
	}
	return 0, inline, nil
}

// freelistIDs decodes the page ids a freelist page lists. When the count
// does not fit in the header's 16 bits, bbolt stores it in the first slot.
func freelistIDs(span []byte, h pageHeader) ([]uint64, error) {
	body := span[pageHeaderSize:]
	count, first := uint64(h.count), uint64(0)
	if h.count == freelistCountMax {
		if len(body) < 8 {
			return nil, fmt.Errorf("freelist page too short for its count")
		}
		count, first = ne.Uint64(body[0:8]), 1
	}
	if room := uint64(len(body)) / 8; count > room-first {
		return nil, fmt.Errorf("freelist claims %d ids, its %d pages have room for %d", count, h.overflow+1, room-first)
	}
	ids := make([]uint64, count)
	for i := range ids {
		ids[i] = ne.Uint64(body[(first+uint64(i))*8:])
	}
	return ids, nil
}
