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
// and does not touch (memory from the OS is already zero), advises the
// whole huge pages it spans, and frees it with a garbage collection: the
// heap's allocator takes the lowest free addresses first, so its later
// allocations reuse those. Nothing is touched, so nothing becomes
// resident until used. Call it once, at startup, before the heap has
// grown: what was allocated before stays on small pages. Under an
// address space limit (ulimit -v) that the object would strain, it does
// nothing. An error says the kernel refused the advice; the heap works
// as before.
func Reserve(n int) error {
	if n < 2*hugePage || !roomFor(n) {
		return nil
	}
	ballast := make([]byte, n)
	base := uintptr(unsafe.Pointer(unsafe.SliceData(ballast)))
	first := (base+hugePage-1)&^(hugePage-1) - base
	last := (base+uintptr(n))&^(hugePage-1) - base
	err := syscall.Madvise(ballast[first:last], syscall.MADV_HUGEPAGE)
	runtime.KeepAlive(ballast)
	ballast = nil
	runtime.GC()
	return err
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
