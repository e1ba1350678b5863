package bolt

import (
	"encoding/binary"
	"errors"
	"fmt"
	"hash/fnv"
	"io"
	"io/fs"
	"os"
)

// bbolt's on-disk meta page (go.etcd.io/bbolt internal/common/meta.go,
// page.go). We read it ourselves, before bbolt maps the file, because bbolt
// trusts the header: a truncated file makes it touch pages past the end of
// the file, which kills the process with SIGBUS instead of returning an
// error. Checking here turns that into ErrCorrupt.
const (
	boltMagic        uint32 = 0xED0CDAED
	boltVersion      uint32 = 2
	pageHeaderSize          = 16 // id uint64, flags uint16, count uint16, overflow uint32
	metaSize                = 64 // through the checksum
	metaChecksumOff         = 56 // the checksum covers the bytes before it
	freelistPageFlag        = 0x10
	noFreelist              = ^uint64(0)
)

// boltMeta is the part of a bbolt meta page the header check needs.
type boltMeta struct {
	magicOK  bool   // the bbolt magic number is present
	valid    bool   // magic, format version and checksum all hold
	version  uint32 // bbolt file format version
	pageSize uint32
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
		freelist: ne.Uint64(m[32:40]),
		pgid:     ne.Uint64(m[40:48]),
		txid:     ne.Uint64(m[48:56]),
	}
	h := fnv.New64a()
	_, _ = h.Write(m[:metaChecksumOff])
	out.valid = out.magicOK && out.version == boltVersion &&
		h.Sum64() == ne.Uint64(m[metaChecksumOff:metaSize]) && out.pageSize >= 512
	return out
}

// inspectHeader classifies a file before bbolt opens it and reports whether
// it has content. A missing or empty file is fine (bbolt initialises it). It
// returns ErrForeignFile when no bbolt meta page is found, and ErrCorrupt
// when the meta pages are damaged, the file is shorter than its header says,
// or the freelist page (which bbolt reads while opening) is not one.
func inspectHeader(path string) (bool, error) {
	f, err := os.Open(path)
	if errors.Is(err, fs.ErrNotExist) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("bolt: open %s: %w", path, err)
	}
	defer f.Close()
	info, err := f.Stat()
	if err != nil {
		return false, fmt.Errorf("bolt: stat %s: %w", path, err)
	}
	if info.IsDir() {
		return false, fmt.Errorf("%w: %s is a directory", ErrForeignFile, path)
	}
	size := info.Size()
	if size == 0 {
		return false, nil
	}
	return true, checkHeader(f, path, size)
}

func checkHeader(f *os.File, path string, size int64) error {
	metas, err := readMetas(f, size)
	if err != nil {
		return fmt.Errorf("bolt: read header of %s: %w", path, err)
	}
	var best *boltMeta
	anyMagic := false
	for i := range metas {
		m := &metas[i]
		anyMagic = anyMagic || m.magicOK
		if m.valid && (best == nil || m.txid > best.txid) {
			best = m
		}
	}
	switch {
	case !anyMagic:
		return fmt.Errorf("%w: %s (%d bytes) is not a bbolt database", ErrForeignFile, path, size)
	case best == nil:
		return fmt.Errorf("%w: %s: both bbolt meta pages are invalid (format version %d, bad checksum, or overwritten)",
			ErrCorrupt, path, firstMagicVersion(metas))
	}
	if need := int64(best.pgid) * int64(best.pageSize); size < need {
		return fmt.Errorf("%w: %s is %d bytes but its header says %d (%d pages of %d bytes): the file was truncated",
			ErrCorrupt, path, size, need, best.pgid, best.pageSize)
	}
	if err := checkFreelist(f, *best); err != nil {
		return fmt.Errorf("%w: %s: %w", ErrCorrupt, path, err)
	}
	return nil
}

// checkFreelist checks that the meta page's freelist is a freelist page
// whose id list lies within its pages. bbolt trusts the list's length when
// it loads it, so a damaged length would make it read past the mapping.
func checkFreelist(f *os.File, m boltMeta) error {
	if m.freelist == noFreelist {
		return nil
	}
	if m.freelist < 2 || m.freelist >= m.pgid {
		return fmt.Errorf("freelist page %d is outside pages [2, %d)", m.freelist, m.pgid)
	}
	var hdr [pageHeaderSize + 8]byte
	if _, err := f.ReadAt(hdr[:], int64(m.freelist)*int64(m.pageSize)); err != nil {
		return fmt.Errorf("read freelist page %d: %w", m.freelist, err)
	}
	ne := binary.NativeEndian
	id, flags := ne.Uint64(hdr[0:8]), ne.Uint16(hdr[8:10])
	count, overflow := uint64(ne.Uint16(hdr[10:12])), uint64(ne.Uint32(hdr[12:16]))
	if id != m.freelist || flags != freelistPageFlag {
		return fmt.Errorf("page %d is not a freelist page (id %d, flags %#x)", m.freelist, id, flags)
	}
	if m.freelist+overflow >= m.pgid {
		return fmt.Errorf("freelist page %d overflows %d pages past the end (%d pages)", m.freelist, overflow, m.pgid)
	}
	ids := count
	if count == 0xFFFF { // the real count is in the first element
		ids = ne.Uint64(hdr[pageHeaderSize:]) + 1
	}
	if room := ((overflow + 1) * uint64(m.pageSize)) / 8; ids > room {
		return fmt.Errorf("freelist page %d claims %d ids, room for %d", m.freelist, ids, room)
	}
	return nil
}

// readMetas returns the candidate meta pages: page 0 at offset 0, and page 1
// at the offset page 0 names or, when page 0 is unreadable, at every page
// size bbolt itself would try (1 KiB to 16 MiB).
func readMetas(f *os.File, size int64) ([]boltMeta, error) {
	read := func(off int64) (boltMeta, error) {
		buf := make([]byte, pageHeaderSize+metaSize)
		n, err := f.ReadAt(buf, off)
		if err != nil && !errors.Is(err, io.EOF) {
			return boltMeta{}, err
		}
		return parseMeta(buf[:n]), nil
	}
	m0, err := read(0)
	if err != nil {
		return nil, err
	}
	metas := []boltMeta{m0}
	if m0.valid {
		m1, err := read(int64(m0.pageSize))
		if err != nil {
			return nil, err
		}
		return append(metas, m1), nil
	}
	for shift := 0; shift <= 14; shift++ {
		off := int64(1024) << shift
		if off >= size {
			break
		}
		m1, err := read(off)
		if err != nil {
			return nil, err
		}
		if m1.magicOK {
			return append(metas, m1), nil
		}
	}
	return metas, nil
}

// firstMagicVersion reports the format version of the first page that has
// the bbolt magic, for the error message.
func firstMagicVersion(metas []boltMeta) uint32 {
	for _, m := range metas {
		if m.magicOK {
			return m.version
		}
	}
	return 0
}
