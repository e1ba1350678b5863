package bolt_test

import (
	"bytes"
	"encoding/binary"
	"hash/fnv"
	"testing"
)

// rawFile edits a bbolt file at the page level, the way disk damage or a
// malicious file would, so tests can craft exactly the structure they
// need: a branch page that points at itself, a chain of pages deeper than
// any real tree, an element count larger than its page. It knows bbolt's
// layout (go.etcd.io/bbolt internal/common) independently of the code
// under test, so a mistake in one is not hidden by the same mistake in the
// other.
type rawFile struct {
	t        testing.TB
	b        []byte
	pageSize int
}

// Page and element layout (native byte order, as bbolt writes it).
const (
	rawPageHeader  = 16 // id u64, flags u16, count u16, overflow u32
	rawElemSize    = 16 // branch: pos u32, ksize u32, pgid u64; leaf: flags, pos, ksize, vsize u32
	rawBranchFlag  = 0x01
	rawLeafFlag    = 0x02
	rawBucketFlag  = 0x01 // leaf element flag: the value is a bucket
	rawMetaRootOff = rawPageHeader + 16
	rawMetaPgidOff = rawPageHeader + 40
	rawMetaTxidOff = rawPageHeader + 48
	rawMetaSumOff  = rawPageHeader + 56
)

var ne = binary.NativeEndian

func newRawFile(t testing.TB, b []byte) *rawFile {
	t.Helper()
	r := &rawFile{t: t, b: append([]byte(nil), b...)}
	r.pageSize = int(ne.Uint32(b[rawPageHeader+8:]))
	return r
}

// metaOff is the offset of the meta page bbolt uses: the one with the
// higher transaction id (test files are undamaged when they get here).
func (r *rawFile) metaOff() int {
	if ne.Uint64(r.b[r.pageSize+rawMetaTxidOff:]) > ne.Uint64(r.b[rawMetaTxidOff:]) {
		return r.pageSize
	}
	return 0
}

// resealMetas recomputes both meta checksums, so a test that edits a meta
// field gets past bbolt's (and the header check's) checksum and reaches
// the deeper checks.
func (r *rawFile) resealMetas() {
	for _, off := range []int{0, r.pageSize} {
		h := fnv.New64a()
		_, _ = h.Write(r.b[off+rawPageHeader : off+rawMetaSumOff])
		ne.PutUint64(r.b[off+rawMetaSumOff:], h.Sum64())
	}
}

func (r *rawFile) rootPage() uint64 { return ne.Uint64(r.b[r.metaOff()+rawMetaRootOff:]) }

func (r *rawFile) highWater() uint64 { return ne.Uint64(r.b[r.metaOff()+rawMetaPgidOff:]) }

// setHighWater sets pgid in both metas and reseals them.
func (r *rawFile) setHighWater(pgid uint64) {
	for _, off := range []int{0, r.pageSize} {
		ne.PutUint64(r.b[off+rawMetaPgidOff:], pgid)
	}
	r.resealMetas()
}

func (r *rawFile) off(id uint64) int { return int(id) * r.pageSize }

func (r *rawFile) flags(id uint64) uint16 { return ne.Uint16(r.b[r.off(id)+8:]) }

func (r *rawFile) count(id uint64) int { return int(ne.Uint16(r.b[r.off(id)+10:])) }

func (r *rawFile) elem(id uint64, i int) int { return r.off(id) + rawPageHeader + i*rawElemSize }

// child returns the page the i-th element of branch page id points at.
func (r *rawFile) child(id uint64, i int) uint64 { return ne.Uint64(r.b[r.elem(id, i)+8:]) }

func (r *rawFile) setChild(id uint64, i int, to uint64) { ne.PutUint64(r.b[r.elem(id, i)+8:], to) }

// leafKey returns the key and value of the i-th element of leaf page id,
// and whether the value is a bucket.
func (r *rawFile) leafKV(id uint64, i int) (key, value []byte, bucket bool) {
	e := r.elem(id, i)
	flags, pos := ne.Uint32(r.b[e:]), int(ne.Uint32(r.b[e+4:]))
	ksize, vsize := int(ne.Uint32(r.b[e+8:])), int(ne.Uint32(r.b[e+12:]))
	return r.b[e+pos : e+pos+ksize], r.b[e+pos+ksize : e+pos+ksize+vsize], flags&rawBucketFlag != 0
}

// bucketRoot returns the root page of the named bucket in the tree rooted
// at page id, failing the test if the bucket is missing or inline.
func (r *rawFile) bucketRoot(id uint64, name string) uint64 {
	r.t.Helper()
	root := ne.Uint64(r.bucketValue(id, name))
	if root == 0 {
		r.t.Fatalf("bucket %q is inline", name)
	}
	return root
}

// setTopBucketRoot points a top-level bucket at another root page.
func (r *rawFile) setTopBucketRoot(name string, root uint64) {
	r.t.Helper()
	v := r.bucketValue(r.rootPage(), name)
	ne.PutUint64(v, root)
}

// bucketValue returns the bucket header (aliasing the file bytes) of the
// named bucket in the tree rooted at page id.
func (r *rawFile) bucketValue(id uint64, name string) []byte {
	r.t.Helper()
	if r.flags(id) == rawBranchFlag {
		for i := range r.count(id) {
			if v := r.bucketValueOrNil(r.child(id, i), name); v != nil {
				return v
			}
		}
	} else if v := r.bucketValueOrNil(id, name); v != nil {
		return v
	}
	r.t.Fatalf("bucket %q not found under page %d", name, id)
	return nil
}

func (r *rawFile) bucketValueOrNil(id uint64, name string) []byte {
	if r.flags(id) == rawBranchFlag {
		for i := range r.count(id) {
			if v := r.bucketValueOrNil(r.child(id, i), name); v != nil {
				return v
			}
		}
		return nil
	}
	for i := range r.count(id) {
		if k, v, bucket := r.leafKV(id, i); bucket && bytes.Equal(k, []byte(name)) {
			return v
		}
	}
	return nil
}

// topBucketRoot returns the root page of a top-level bucket.
func (r *rawFile) topBucketRoot(name string) uint64 {
	r.t.Helper()
	return r.bucketRoot(r.rootPage(), name)
}

// branchUnder returns a branch page in the bucket rooted at root, failing
// the test when the bucket's tree is a single leaf.
func (r *rawFile) branchUnder(root uint64) uint64 {
	r.t.Helper()
	if r.flags(root) != rawBranchFlag {
		r.t.Fatalf("page %d is not a branch page (flags %#x): the fixture is too small", root, r.flags(root))
	}
	return root
}

// leafUnder returns the first leaf page below page id.
func (r *rawFile) leafUnder(id uint64) uint64 {
	for r.flags(id) == rawBranchFlag {
		id = r.child(id, 0)
	}
	return id
}

// appendBranchChain adds n branch pages past the high-water mark, each
// with one element pointing at the next, the last pointing at to, raises
// the high-water mark past them and returns the first. Real bbolt trees
// are a few levels deep; this one is n+1.
func (r *rawFile) appendBranchChain(n int, to uint64) uint64 {
	first := r.highWater()
	if need := r.off(first + uint64(n)); len(r.b) < need {
		r.b = append(r.b, make([]byte, need-len(r.b))...)
	}
	for i := range n {
		id := first + uint64(i)
		page := r.b[r.off(id) : r.off(id)+r.pageSize]
		clear(page)
		ne.PutUint64(page[0:], id)
		ne.PutUint16(page[8:], rawBranchFlag)
		ne.PutUint16(page[10:], 1)
		next := id + 1
		if i == n-1 {
			next = to
		}
		// One element: key "a" stored right after the element array.
		ne.PutUint32(page[rawPageHeader:], rawElemSize)
		ne.PutUint32(page[rawPageHeader+4:], 1)
		ne.PutUint64(page[rawPageHeader+8:], next)
		page[rawPageHeader+rawElemSize] = 'a'
	}
	r.setHighWater(first + uint64(n))
	return first
}
