package bolt_test

import (
	"errors"
	"os"
	"runtime"
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
// ErrCorrupt within the time and memory bounds.
func wantBoundedRefusal(t *testing.T, path string, raw []byte) {
	t.Helper()
	writeFile(t, path, raw)
	err := openWithin(t, path)
	if !errors.Is(err, bolt.ErrCorrupt) {
		t.Fatalf("Open = %v, want an error wrapping ErrCorrupt", err)
	}
}

func TestOpen_BranchPointsAtItself(t *testing.T) {
	path, pristine := pristineStore(t)
	r := newRawFile(t, pristine)
	branch := r.branchUnder(r.topBucketRoot("tokens"))
	r.setChild(branch, 0, branch)
	wantBoundedRefusal(t, path, r.b)
}

func TestOpen_BranchPointsAtAncestor(t *testing.T) {
	path, pristine := pristineStore(t)
	r := newRawFile(t, pristine)
	root := r.topBucketRoot("tokens")
	// The tokens tree is a branch over leaves; turn its last leaf into a
	// branch whose only child is the tree's root.
	branch := r.branchUnder(root)
	leaf := r.child(branch, r.count(branch)-1)
	off := r.off(leaf)
	ne.PutUint16(r.b[off+8:], rawBranchFlag)
	ne.PutUint16(r.b[off+10:], 1)
	ne.PutUint64(r.b[r.elem(leaf, 0)+8:], root)
	wantBoundedRefusal(t, path, r.b)
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
