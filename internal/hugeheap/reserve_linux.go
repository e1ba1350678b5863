package hugeheap

import (
	"runtime"
	"syscall"
	"unsafe"
)

// hugePage is the size of an x86-64 or arm64 transparent huge page.
const hugePage = 2 << 20

// Reserve advises about n bytes of the Go heap's next addresses for huge
// pages. It allocates one n-byte object, which the runtime maps fresh
// and does not touch (memory from the OS is already zero), advises every
// huge page it touches, and frees it with a garbage collection: the
// heap's allocator takes the lowest free addresses first, so its later
// allocations reuse those. The huge pages at the object's two ends are
// advised whole, with whatever else of the heap they hold: a later
// allocation that starts in free pages just below the object (it often
// does) is then on advised memory from its first byte. Nothing is
// touched, so nothing becomes resident until used. Call it once, at
// startup, before the heap has grown: what was allocated before stays on
// small pages. Under an address space limit (ulimit -v) that the object
// would strain, it does nothing. An error says the kernel refused the
// advice; the heap works as before.
func Reserve(n int) error {
	if n < 2*hugePage || !roomFor(n) {
		return nil
	}
	ballast := make([]byte, n)
	base := uintptr(unsafe.Pointer(unsafe.SliceData(ballast)))
	err := adviseHuge(base&^(hugePage-1), (base+uintptr(n)+hugePage-1)&^(hugePage-1))
	if err != nil {
		// The heap maps its memory in chunks of huge pages, so the
		// outer pages are its own; should one not be mapped, advise
		// only the pages the object holds whole.
		err = adviseHuge((base+hugePage-1)&^(hugePage-1), (base+uintptr(n))&^(hugePage-1))
	}
	runtime.KeepAlive(ballast)
	ballast = nil
	runtime.GC()
	return err
}

// adviseHuge advises the addresses [lo, hi) for huge pages. They are
// passed as numbers: they may reach beyond any one Go object.
func adviseHuge(lo, hi uintptr) error {
	if _, _, e := syscall.Syscall(syscall.SYS_MADVISE, lo, hi-lo, syscall.MADV_HUGEPAGE); e != 0 {
		return e
	}
	return nil
}

// roomFor reports whether the process's address space limit (ulimit -v)
// leaves room for an n-byte object besides what the process needs: the
// runtime cannot recover from failing to map one ("out of memory:
// cannot allocate 268435456-byte block" under ulimit -v 1000000).
func roomFor(n int) bool {
	var lim syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_AS, &lim); err != nil {
		return false
	}
	return fits(lim.Cur, n)
}

// fits reports whether an address space limit of limit bytes (^0 for
// none) leaves room for an n-byte object: a quarter of it at most.
func fits(limit uint64, n int) bool {
	return limit == ^uint64(0) || limit/4 > uint64(n)
}
