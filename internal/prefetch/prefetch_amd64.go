package prefetch

import "unsafe"

// Line asks the processor to bring the cache line holding p closer,
// without waiting for it: a hint, with no effect on what any load sees.
//
//go:noescape
func Line(p unsafe.Pointer)

// Lines is Line for the n lines from p's on: one call for a record that
// spans several.
//
//go:noescape
func Lines(p unsafe.Pointer, n int)
