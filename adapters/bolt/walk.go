package bolt

import (
	"bytes"
	"context"
	"fmt"
	"io"
)

// maxTreeDepth bounds how many pages deep the walk goes, counting nested
// buckets' trees on top of their parents'. A bbolt tree of a billion keys
// is under ten levels and this package nests buckets two deep, so only a
// damaged or crafted file comes near it; without the bound a chain of
// one-element branch pages would cost a stack frame and a buffer per page.
const maxTreeDepth = 64

// pageWalk checks the structure of a bbolt file from the raw bytes, before
// bbolt maps it. bbolt follows page pointers as it finds them: a branch
// page that points at itself or at an ancestor makes its cursors (and
// tx.Check) descend forever, growing a stack until memory runs out. The
// walk visits each page at most once, so it ends after at most as many
// page reads as the file has pages, whatever the pages say.
//
// It checks what bbolt's tx.Check checks (every page reached once, none
// both reached and free, none neither, page types, key order within and
// across pages) and what bbolt assumes without checking (page ids and
// element offsets inside the file, depth). Once it passes, bbolt's own
// reads of the file stay inside it and terminate.
type pageWalk struct {
	ctx      context.Context
	f        io.ReaderAt
	pageSize uint64
	pgid     uint64
	reached  bitmap      // pages in use: metas, freelist, tree pages
	free     bitmap      // pages the freelist lists
	bufs     [][]byte    // one read buffer per depth, reused across siblings
	elems    [][]element // one element list per depth, likewise
	// inlineElems is reused for inline buckets, which hold no buckets, so
	// one is never walked inside another.
	inlineElems []element
	visited     uint64   // tree pages read so far, for progress in errors
	path        [][]byte // bucket names from the root to the current bucket
	// onValue, when set, is called with every key and value (not nested
	// buckets) and the path of the bucket holding it. The slices alias
	// read buffers and are valid only during the call.
	onValue func(path [][]byte, key, value []byte)
}

// walkPages runs the walk over the file whose header h describes, passing
// every value to onValue if it is set.
func walkPages(ctx context.Context, f io.ReaderAt, h fileHeader, onValue func(path [][]byte, key, value []byte)) error {
	w := &pageWalk{ctx: ctx, f: f, pageSize: h.pageSize, pgid: h.meta.pgid,
		reached: newBitmap(h.meta.pgid), free: newBitmap(h.meta.pgid), onValue: onValue}
	w.reached.set(0)
	w.reached.set(1)
	if h.meta.freelist != noFreelist {
		if err := w.loadFreelist(h.meta.freelist); err != nil {
			return err
		}
	}
	if err := w.page(h.meta.root, 0, nil, nil); err != nil {
		return err
	}
	if h.meta.freelist == noFreelist {
		return nil // bbolt rebuilds the freelist from the unreached pages
	}
	return w.checkAccounted()
}

// loadFreelist marks the freelist's own pages reached and the pages it
// lists free.
func (w *pageWalk) loadFreelist(id uint64) error {
	span, h, err := w.read(id, 0)
	if err != nil {
		return fmt.Errorf("freelist: %w", err)
	}
	if h.flags != freelistPageFlag {
		return fmt.Errorf("page %d is the freelist but has type %#x", id, h.flags)
	}
	ids, err := freelistIDs(span, h)
	if err != nil {
		return fmt.Errorf("freelist page %d: %w", id, err)
	}
	for _, free := range ids {
		if free < 2 || free >= w.pgid {
			return fmt.Errorf("freelist page %d lists page %d, outside the data pages [2, %d)", id, free, w.pgid)
		}
		if w.free.has(free) {
			return fmt.Errorf("freelist page %d lists page %d twice", id, free)
		}
		w.free.set(free)
	}
	for p := id; p <= id+h.overflow; p++ {
		if w.free.has(p) {
			return fmt.Errorf("page %d holds the freelist and is also listed as free", p)
		}
		w.reached.set(p)
	}
	return nil
}

// page checks tree page id and everything below it. Its keys must lie in
// [lo, hi) (nil: unbounded), the range its parent's branch keys give it.
func (w *pageWalk) page(id uint64, depth int, lo, hi []byte) error {
	if depth >= maxTreeDepth {
		return fmt.Errorf("bucket %s: page %d is %d levels deep; no real tree is deeper than %d", w.where(), id, depth, maxTreeDepth)
	}
	if err := w.ctx.Err(); err != nil {
		return fmt.Errorf("%w: stopped after checking %d of %d pages", err, w.visited, w.pgid)
	}
	w.visited++
	span, h, err := w.read(id, depth)
	if err != nil {
		return fmt.Errorf("bucket %s: %w", w.where(), err)
	}
	for p := id; p <= id+h.overflow; p++ {
		switch {
		case w.reached.has(p):
			return fmt.Errorf("bucket %s: page %d is reached twice: the tree has a loop or a shared subtree", w.where(), p)
		case w.free.has(p):
			return fmt.Errorf("bucket %s: page %d is in use and also listed as free", w.where(), p)
		}
		w.reached.set(p)
	}
	if h.flags != branchPageFlag && h.flags != leafPageFlag {
		return fmt.Errorf("bucket %s: page %d has type %#x where a branch or leaf page belongs", w.where(), id, h.flags)
	}
	if h.flags == branchPageFlag && h.count == 0 {
		return fmt.Errorf("bucket %s: branch page %d has no elements", w.where(), id)
	}
	for len(w.elems) <= depth {
		w.elems = append(w.elems, nil)
	}
	elems, err := elements(span, h, w.elems[depth][:0])
	if err != nil {
		return fmt.Errorf("bucket %s: page %d: %w", w.where(), id, err)
	}
	w.elems[depth] = elems
	if err := checkKeyOrder(elems, lo, hi); err != nil {
		return fmt.Errorf("bucket %s: page %d: %w", w.where(), id, err)
	}
	if h.flags == branchPageFlag {
		for i, e := range elems {
			next := hi
			if i+1 < len(elems) {
				next = elems[i+1].key
			}
			if err := w.page(e.child, depth+1, e.key, next); err != nil {
				return err
			}
		}
		return nil
	}
	return w.buckets(elems, depth)
}

// buckets passes a leaf's values on and checks the nested buckets among
// its elements: a bucket with its own root page is walked like any tree,
// an inline bucket's page is checked inside its value.
func (w *pageWalk) buckets(elems []element, depth int) error {
	for _, e := range elems {
		if !e.bucket && len(w.path) == 0 {
			return fmt.Errorf("the root bucket holds a value under %s; it holds only buckets", printableKey(e.key))
		}
		if !e.bucket {
			if w.onValue != nil {
				w.onValue(w.path, e.key, e.value)
			}
			continue
		}
		w.path = append(w.path, e.key)
		root, inline, err := bucketHeader(e.value)
		switch {
		case err != nil:
			err = fmt.Errorf("bucket %s: %w", w.where(), err)
		case root == 0:
			err = w.inline(inline)
		default:
			err = w.page(root, depth+1, nil, nil)
		}
		w.path = w.path[:len(w.path)-1]
		if err != nil {
			return err
		}
	}
	return nil
}

// inline checks an inline bucket's page and passes its values on. bbolt
// inlines only small buckets without nested buckets, so its page must be
// a leaf whose elements hold values, all inside the bucket's value.
func (w *pageWalk) inline(span []byte) error {
	h := parsePageHeader(span)
	if h.flags != leafPageFlag {
		return fmt.Errorf("bucket %s: inline page has type %#x, want a leaf", w.where(), h.flags)
	}
	elems, err := elements(span, h, w.inlineElems[:0])
	if err != nil {
		return fmt.Errorf("bucket %s: inline page: %w", w.where(), err)
	}
	w.inlineElems = elems
	if err := checkKeyOrder(elems, nil, nil); err != nil {
		return fmt.Errorf("bucket %s: inline page: %w", w.where(), err)
	}
	for _, e := range elems {
		if e.bucket {
			return fmt.Errorf("bucket %s: inline bucket holds a bucket %s, which bbolt never writes", w.where(), printableKey(e.key))
		}
		if w.onValue != nil {
			w.onValue(w.path, e.key, e.value)
		}
	}
	return nil
}

// checkKeyOrder checks that keys increase strictly and lie in [lo, hi),
// and that the first key is lo itself when a parent gave one. bbolt finds
// keys by binary search, so a key out of order is a record a lookup cannot
// find. And when bbolt rewrites a page it finds the page's entry in its
// parent by the page's first key: a parent key that merely sorts before
// it (which bbolt's own tx.Check accepts) makes the next write add a
// second entry and leave the old one pointing at a page it frees.
func checkKeyOrder(elems []element, lo, hi []byte) error {
	if lo != nil && len(elems) == 0 {
		return fmt.Errorf("page is empty, but its parent has an entry for it")
	}
	for i, e := range elems {
		switch {
		case i == 0 && lo != nil && !bytes.Equal(e.key, lo):
			return fmt.Errorf("first key %s differs from its parent's key for it, %s", printableKey(e.key), printableKey(lo))
		case i > 0 && bytes.Compare(elems[i-1].key, e.key) >= 0:
			return fmt.Errorf("key %d (%s) does not sort after key %d (%s)", i, printableKey(e.key), i-1, printableKey(elems[i-1].key))
		case hi != nil && bytes.Compare(e.key, hi) >= 0:
			return fmt.Errorf("key %s does not sort before its parent's next key %s", printableKey(e.key), printableKey(hi))
		}
	}
	return nil
}

// checkAccounted checks every page below the high-water mark is in use or
// free: a page that is neither means a pointer to it was lost.
func (w *pageWalk) checkAccounted() error {
	lost, first := 0, uint64(0)
	for p := uint64(2); p < w.pgid; p++ {
		if !w.reached.has(p) && !w.free.has(p) {
			if lost == 0 {
				first = p
			}
			lost++
		}
	}
	if lost > 0 {
		return fmt.Errorf("%d pages (the first is page %d) are neither in use nor free: a page pointer was damaged", lost, first)
	}
	return nil
}

// read returns page id with its overflow pages, read into depth's buffer.
func (w *pageWalk) read(id uint64, depth int) ([]byte, pageHeader, error) {
	if id < 2 || id >= w.pgid {
		return nil, pageHeader{}, fmt.Errorf("page %d is outside the data pages [2, %d)", id, w.pgid)
	}
	for len(w.bufs) <= depth {
		w.bufs = append(w.bufs, make([]byte, w.pageSize))
	}
	buf := w.bufs[depth][:w.pageSize]
	if _, err := w.f.ReadAt(buf, int64(id*w.pageSize)); err != nil {
		return nil, pageHeader{}, fmt.Errorf("read page %d: %w", id, err)
	}
	h := parsePageHeader(buf)
	if h.id != id {
		return nil, pageHeader{}, fmt.Errorf("page %d has id %d in its header", id, h.id)
	}
	if h.overflow >= w.pgid-id {
		return nil, pageHeader{}, fmt.Errorf("page %d overflows %d pages, past the last page %d", id, h.overflow, w.pgid-1)
	}
	if h.overflow == 0 {
		return buf, h, nil
	}
	n := (h.overflow + 1) * w.pageSize
	if uint64(cap(w.bufs[depth])) < n {
		grown := make([]byte, n)
		copy(grown, buf)
		w.bufs[depth] = grown
	}
	buf = w.bufs[depth][:n]
	if _, err := w.f.ReadAt(buf[w.pageSize:], int64((id+1)*w.pageSize)); err != nil {
		return nil, pageHeader{}, fmt.Errorf("read overflow pages of page %d: %w", id, err)
	}
	return buf, h, nil
}

// where names the bucket being walked, for messages: its path of quoted
// names, or (root) for the bucket of top-level buckets. It is built only
// when a message needs it.
func (w *pageWalk) where() string {
	if len(w.path) == 0 {
		return "(root)"
	}
	out := ""
	for i, p := range w.path {
		if i > 0 {
			out += "/"
		}
		out += printableKey(p)
	}
	return out
}

// printableKey quotes a key for a message, shortened.
func printableKey(k []byte) string {
	if len(k) > 40 {
		return fmt.Sprintf("%q...", k[:40])
	}
	return fmt.Sprintf("%q", k)
}

// bitmap is one bit per page.
type bitmap []uint64

func newBitmap(n uint64) bitmap    { return make(bitmap, (n+63)/64) }
func (b bitmap) set(i uint64)      { b[i/64] |= 1 << (i % 64) }
func (b bitmap) has(i uint64) bool { return b[i/64]&(1<<(i%64)) != 0 }
