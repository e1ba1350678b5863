package bolt_test

import (
	"context"
	"errors"
	"os"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/waiter-go/waiter/adapters/bolt"
)

// openBound is how long a refused open may take on a crafted file. Real
// refusals take milliseconds; the bound is loose because CI machines are
// shared, and tight enough that a walk that loops is caught.
const openBound = 10 * time.Second

// openAllocBound is how much an open of the few-hundred-kilobyte test
// files may allocate in all: the page walk keeps a bitmap and one buffer
// per tree level, so it is far below this whatever the file says.
const openAllocBound = 64 << 20

// openWithin opens path and fails the test if Open does not return within
// openBound or allocates more than openAllocBound. It returns Open's error
// (closing the store if it opened).
func openWithin(t *testing.T, path string) error {
	t.Helper()
	type result struct {
		s   *bolt.Store
		err error
	}
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	done := make(chan result, 1)
	start := time.Now()
	go func() {
		s, err := bolt.Open(path, bolt.WithLockTimeout(100*time.Millisecond))
		done <- result{s, err}
	}()
	select {
	case r := <-done:
		elapsed := time.Since(start)
		runtime.ReadMemStats(&after)
		alloc := after.TotalAlloc - before.TotalAlloc
		t.Logf("Open returned in %s after allocating %d KiB: %v", elapsed, alloc>>10, r.err)
		if alloc > openAllocBound {
			t.Errorf("Open allocated %d MiB, bound %d MiB", alloc>>20, openAllocBound>>20)
		}
		if r.s != nil {
			_ = r.s.Close()
		}
		return r.err
	case <-time.After(openBound):
		runtime.ReadMemStats(&after)
		t.Fatalf("Open(%s) did not return within %s (heap now %d MiB): the check does not terminate",
			path, openBound, after.HeapAlloc>>20)
		return nil
	}
}

// wantBoundedRefusal writes raw to path and checks Open refuses it with
// ErrCorrupt, for the given reason, within the time and memory bounds.
func wantBoundedRefusal(t *testing.T, path string, raw []byte, reason string) {
	t.Helper()
	writeFile(t, path, raw)
	err := openWithin(t, path)
	if !errors.Is(err, bolt.ErrCorrupt) || !strings.Contains(err.Error(), reason) {
		t.Fatalf("Open = %v, want an error wrapping ErrCorrupt saying %q", err, reason)
	}
}

func TestOpen_BranchPointsAtItself(t *testing.T) {
	path, pristine := pristineStore(t)
	r := newRawFile(t, pristine)
	branch := r.branchUnder(r.topBucketRoot("tokens"))
	r.setChild(branch, 0, branch)
	wantBoundedRefusal(t, path, r.b, "reached twice")
}

func TestOpen_BranchPointsAtAncestor(t *testing.T) {
	path, pristine := pristineStore(t)
	r := newRawFile(t, pristine)
	root := r.topBucketRoot("tokens")
	// The tokens tree is a branch over leaves; turn its last leaf into a
	// branch whose only child is the tree's root. The branch element's key
	// is the leaf's first key, so key order holds and only the loop is
	// wrong.
	branch := r.branchUnder(root)
	leaf := r.child(branch, r.count(branch)-1)
	off, e := r.off(leaf), r.elem(leaf, 0)
	pos, ksize := ne.Uint32(r.b[e+4:]), ne.Uint32(r.b[e+8:])
	ne.PutUint16(r.b[off+8:], rawBranchFlag)
	ne.PutUint16(r.b[off+10:], 1)
	ne.PutUint32(r.b[e:], pos)
	ne.PutUint32(r.b[e+4:], ksize)
	ne.PutUint64(r.b[e+8:], root)
	wantBoundedRefusal(t, path, r.b, "reached twice")
}

func TestOpen_EmptyFileRefused(t *testing.T) {
	path, _ := pristineStore(t)
	writeFile(t, path, nil)
	err := openWithin(t, path)
	if !errors.Is(err, bolt.ErrCorrupt) {
		t.Fatalf("Open of a 0-byte file = %v, want ErrCorrupt", err)
	}
	if info, statErr := os.Stat(path); statErr != nil || info.Size() != 0 {
		t.Fatalf("the refused file was changed: %v, %v", info, statErr)
	}
}

// TestOpen_DeepChain puts a chain of 5000 one-element branch pages above
// the tokens tree: every page is reached once and in key order, so only
// the depth bound stops it. Without the bound each level would cost the
// walk a stack frame and a page buffer.
func TestOpen_DeepChain(t *testing.T) {
	path, pristine := pristineStore(t)
	r := newRawFile(t, pristine)
	head := r.appendBranchChain(5000, r.topBucketRoot("tokens"))
	r.setTopBucketRoot("tokens", head)
	wantBoundedRefusal(t, path, r.b, "levels deep")
}

// TestOpen_HugeFields sets one header or element field at a time to a
// value that points far outside its page or the file.
func TestOpen_HugeFields(t *testing.T) {
	path, pristine := pristineStore(t)
	damages := []struct {
		name, reason string
		damage       func(r *rawFile)
	}{
		{"LeafElementCount", "elements need", func(r *rawFile) {
			ne.PutUint16(r.b[r.off(r.leafUnder(r.topBucketRoot("tokens")))+10:], 0xFFFF)
		}},
		{"BranchElementCount", "elements need", func(r *rawFile) {
			ne.PutUint16(r.b[r.off(r.branchUnder(r.topBucketRoot("tokens")))+10:], 0xFFFF)
		}},
		{"Overflow", "overflows", func(r *rawFile) {
			ne.PutUint32(r.b[r.off(r.leafUnder(r.topBucketRoot("tokens")))+12:], 0xFFFFFFFF)
		}},
		{"KeySize", "run past the page", func(r *rawFile) {
			leaf := r.leafUnder(r.topBucketRoot("tokens"))
			ne.PutUint32(r.b[r.elem(leaf, 0)+8:], 0xFFFFFFFF)
		}},
		{"ValueSize", "run past the page", func(r *rawFile) {
			leaf := r.leafUnder(r.topBucketRoot("tokens"))
			ne.PutUint32(r.b[r.elem(leaf, 0)+12:], 0xFFFFFFF0)
		}},
		{"ChildPastTheEnd", "outside the data pages", func(r *rawFile) {
			branch := r.branchUnder(r.topBucketRoot("tokens"))
			r.setChild(branch, 0, r.highWater()+5)
		}},
		{"ChildIsAMetaPage", "outside the data pages", func(r *rawFile) {
			r.setChild(r.branchUnder(r.topBucketRoot("tokens")), 0, 1)
		}},
		{"PageCountInMeta", "truncated", func(r *rawFile) {
			// A count whose product with the page size wraps around to a
			// small number must still be caught.
			r.setHighWater(1<<63 + 1)
		}},
		{"BucketRootPastTheEnd", "outside the data pages", func(r *rawFile) {
			r.setTopBucketRoot("tokens", 1<<40)
		}},
	}
	for _, d := range damages {
		t.Run(d.name, func(t *testing.T) {
			r := newRawFile(t, pristine)
			d.damage(r)
			wantBoundedRefusal(t, path, r.b, d.reason)
		})
	}
}

// TestOpen_KeysOutOfOrder swaps two elements of a leaf: every page is
// still reached once, but a binary search would miss keys, so the file is
// refused.
func TestOpen_KeysOutOfOrder(t *testing.T) {
	path, pristine := pristineStore(t)
	r := newRawFile(t, pristine)
	leaf := r.leafUnder(r.topBucketRoot("tokens"))
	a, b := r.elem(leaf, 1), r.elem(leaf, 2)
	e1 := append([]byte(nil), r.b[a:a+rawElemSize]...)
	copy(r.b[a:a+rawElemSize], r.b[b:b+rawElemSize])
	copy(r.b[b:b+rawElemSize], e1)
	// Positions are relative to their element, which moved by one slot.
	ne.PutUint32(r.b[a+4:], ne.Uint32(r.b[a+4:])+rawElemSize)
	ne.PutUint32(r.b[b+4:], ne.Uint32(r.b[b+4:])-rawElemSize)
	wantBoundedRefusal(t, path, r.b, "does not sort after")
}

// TestOpen_BranchKeyNotChildsFirstKey lowers a branch's first key so that
// it still sorts before everything below it but no longer equals its
// child's first key, the case the fuzzer found: bbolt's tx.Check accepts
// it, and the next write through that branch leaves an entry pointing at
// a page the write frees.
func TestOpen_BranchKeyNotChildsFirstKey(t *testing.T) {
	path, pristine := pristineStore(t)
	r := newRawFile(t, pristine)
	branch := r.branchUnder(r.topBucketRoot("tokens"))
	e := r.elem(branch, 0)
	pos, ksize := int(ne.Uint32(r.b[e:])), int(ne.Uint32(r.b[e+4:]))
	r.b[e+pos+ksize-1]-- // "token-000" becomes "token-00/"
	wantBoundedRefusal(t, path, r.b, "differs from its parent's key")
}

// TestOpen_PageInUseAndFree lists a page of the tokens tree as free: bbolt
// would hand it out for the next write and overwrite live tokens.
func TestOpen_PageInUseAndFree(t *testing.T) {
	path, pristine := pristineStore(t)
	r := newRawFile(t, pristine)
	freelist := ne.Uint64(r.b[r.metaOff()+rawPageHeader+32:])
	if r.count(freelist) == 0 || r.count(freelist) == 0xFFFF {
		t.Fatalf("fixture's freelist page %d lists %d ids; the test needs a short non-empty list", freelist, r.count(freelist))
	}
	ne.PutUint64(r.b[r.off(freelist)+rawPageHeader:], r.topBucketRoot("tokens"))
	wantBoundedRefusal(t, path, r.b, "also listed as free")
}

// TestOpen_CheckHonoursContext opens an undamaged store with a context
// that has ended, as a router stopped (SIGTERM) during its check would:
// Open returns the context's error promptly, and does not call the file
// corrupt.
func TestOpen_CheckHonoursContext(t *testing.T) {
	path, _ := pristineStore(t)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := bolt.OpenContext(ctx, path)
	if !errors.Is(err, context.Canceled) || errors.Is(err, bolt.ErrCorrupt) {
		t.Fatalf("OpenContext with a cancelled context = %v, want context.Canceled and not ErrCorrupt", err)
	}
	_, err = bolt.Open(path, bolt.WithCheckTimeout(time.Nanosecond))
	if !errors.Is(err, context.DeadlineExceeded) || !strings.Contains(err.Error(), path) {
		t.Fatalf("Open with a 1ns check timeout = %v, want context.DeadlineExceeded naming %s", err, path)
	}
	t.Logf("got: %v", err)
	// The file is intact and opens with time to check it.
	s, err := bolt.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	checkPristineContents(t, s)
	_ = s.Close()
}
