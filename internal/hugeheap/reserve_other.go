//go:build !linux

package hugeheap

// Reserve does nothing where Linux's transparent huge pages do not exist.
func Reserve(n int) error { return nil }
