package bolt

import (
	"encoding/binary"
	"errors"
	"fmt"
	"hash/fnv"
	"io"
)

// bbolt's on-disk meta page (go.etcd.io/bbolt internal/common/meta.go,
// page.go). We read it ourselves, before bbolt maps the file, because bbolt
// trusts the header: a truncated file makes it touch pages past the end of
// the file, which kills the process with SIGBUS instead of returning an
// error. Checking here turns that into ErrCorrupt.
const (
	boltMagic       uint32 = 0xED0CDAED
	boltVersion     uint32 = 2
	pageHeaderSize         = 16 // id uint64, flags uint16, count uint16, overflow uint32
	metaSize               = 64 // through the checksum
	metaChecksumOff        = 56 // the checksum covers the bytes before it
	noFreelist             = ^uint64(0)

	// Page sizes the check accepts. bbolt looks for the second meta page
	// at 1 KiB to 16 MiB, and uses the OS page size (4 to 64 KiB) when it
	// creates a file; anything outside this range was not written by it.
	minPageSize = 1 << 10
	maxPageSize = 1 << 24
)

// boltMeta is the part of a bbolt meta page the checks need.
type boltMeta struct {
	magicOK  bool   // the bbolt magic number is present
	valid    bool   // magic, format version and checksum all hold (bbolt's Meta.Validate)
	version  uint32 // bbolt file format version
	pageSize uint32
	root     uint64 // root bucket's page
	freelist uint64 // page id of the freelist, or noFreelist
	pgid     uint64 // high-water mark: pages [0, pgid) must exist in the file
	txid     uint64
}

// parseMeta decodes the meta page at the start of page; bbolt writes it in
// native byte order.
func parseMeta(page []byte) boltMeta {
	if len(page) < pageHeaderSize+metaSize {
		return boltMeta{}
	}
	m := page[pageHeaderSize : pageHeaderSize+metaSize]
	ne := binary.NativeEndian
	out := boltMeta{
		magicOK:  ne.Uint32(m[0:4]) == boltMagic,
		version:  ne.Uint32(m[4:8]),
		pageSize: ne.Uint32(m[8:12]),
		root:     ne.Uint64(m[16:24]),
		freelist: ne.Uint64(m[32:40]),
		pgid:     ne.Uint64(m[40:48]),
		txid:     ne.Uint64(m[48:56]),
	}
	h := fnv.New64a()
	_, _ = h.Write(m[:metaChecksumOff])
	out.valid = out.magicOK && out.version == boltVersion && h.Sum64() == ne.Uint64(m[metaChecksumOff:metaSize])
	return out
}

// fileHeader is what bbolt will use once it maps the file: its page size
// and the meta page it chooses.
type fileHeader struct {
	pageSize uint64
	meta     boltMeta
}

// readHeader finds the page size and meta page bbolt would use, and
// checks that the file holds every page the meta page counts and that its
// root and freelist pages lie among them. It returns ErrForeignFile when
// no bbolt meta page is found and ErrCorrupt for damage.
//
// The choice follows bbolt's own (db.go getPageSize and meta), so that the
// page walk checks the very tree bbolt will read: the page size comes from
// meta page 0 if it is valid, else from the first valid meta page found at
// 1 KiB, 2 KiB, ... 16 MiB; of the two meta pages at that size, the one
// with the higher transaction id is used if valid, else the other.
func readHeader(f io.ReaderAt, path string, size int64) (fileHeader, error) {
	read := func(off int64) (boltMeta, error) {
		buf := make([]byte, pageHeaderSize+metaSize)
		n, err := f.ReadAt(buf, off)
		if err != nil && !errors.Is(err, io.EOF) {
			return boltMeta{}, fmt.Errorf("bolt: read header of %s at offset %d: %w", path, off, err)
		}
		return parseMeta(buf[:n]), nil
	}
	m0, err := read(0)
	if err != nil {
		return fileHeader{}, err
	}
	anyMagic, pageSize := m0.magicOK, uint64(0)
	if m0.valid {
		pageSize = uint64(m0.pageSize)
	} else {
		for shift := 0; shift <= 14; shift++ {
			off := int64(1024) << shift
			if off >= size-1024 {
				break
			}
			m, err := read(off)
			if err != nil {
				return fileHeader{}, err
			}
			anyMagic = anyMagic || m.magicOK
			if m.valid {
				pageSize = uint64(m.pageSize)
				break
			}
		}
	}
	switch {
	case pageSize == 0 && !anyMagic:
		return fileHeader{}, fmt.Errorf("%w: %s (%d bytes) is not a bbolt database", ErrForeignFile, path, size)
	case pageSize == 0:
		return fileHeader{}, fmt.Errorf("%w: %s: both bbolt meta pages are invalid (format version %d, bad checksum, or overwritten)",
			ErrCorrupt, path, m0.version)
	case pageSize < minPageSize || pageSize > maxPageSize:
		return fileHeader{}, fmt.Errorf("%w: %s: page size %d is outside [%d, %d]", ErrCorrupt, path, pageSize, minPageSize, maxPageSize)
	}
	m1, err := read(int64(pageSize))
	if err != nil {
		return fileHeader{}, err
	}
	hi, lo := m0, m1
	if m1.txid > m0.txid {
		hi, lo = m1, m0
	}
	var meta boltMeta
	switch {
	case hi.valid:
		meta = hi
	case lo.valid:
		meta = lo
	default:
		return fileHeader{}, fmt.Errorf("%w: %s: neither meta page is valid at page size %d", ErrCorrupt, path, pageSize)
	}
	if err := checkMeta(meta, pageSize, size); err != nil {
		return fileHeader{}, fmt.Errorf("%w: %s: meta page of transaction %d: %w", ErrCorrupt, path, meta.txid, err)
	}
	return fileHeader{pageSize: pageSize, meta: meta}, nil
}

// checkMeta checks the chosen meta page against the file: the page count
// must fit in the file (compared by division, so a huge count cannot
// overflow into a small one) and the root and freelist pages must be data
// pages below the count.
func checkMeta(m boltMeta, pageSize uint64, size int64) error {
	if uint64(m.pageSize) != pageSize {
		return fmt.Errorf("says page size %d, but the file's pages are %d bytes", m.pageSize, pageSize)
	}
	if have := uint64(size) / pageSize; m.pgid > have {
		return fmt.Errorf("counts %d pages of %d bytes, but the file is %d bytes (%d pages): the file was truncated",
			m.pgid, pageSize, size, have)
	}
	if m.root < 2 || m.root >= m.pgid {
		return fmt.Errorf("root page %d is outside the data pages [2, %d)", m.root, m.pgid)
	}
	if m.freelist != noFreelist && (m.freelist < 2 || m.freelist >= m.pgid) {
		return fmt.Errorf("freelist page %d is outside the data pages [2, %d)", m.freelist, m.pgid)
	}
	return nil
}
