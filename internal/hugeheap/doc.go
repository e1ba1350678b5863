// Package hugeheap asks Linux to back the Go heap with transparent huge
// pages, for a process whose time goes to first touches of fresh memory.
//
// On a kernel whose transparent huge pages are "madvise" (Debian's and
// most distributions' default), only memory advised with MADV_HUGEPAGE
// gets them, and Go's runtime does not advise its heap. Each 4 KiB page a
// process touches for the first time then costs a page fault: about
// 10 µs on this project's benchmark VM, where spike.yaml's run took 4,000
// of them, a fifth of its CPU time. Reserve maps a span of heap address
// space in one piece, advises it, and hands it back to the heap, whose
// allocator fills its lowest free addresses first: the heap then grows
// into advised memory, a fault per 2 MiB instead of per 4 KiB.
package hugeheap
