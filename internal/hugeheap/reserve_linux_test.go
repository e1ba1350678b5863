package hugeheap

import (
	"bufio"
	"os"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"unsafe"
)

// sink keeps the test's allocation on the heap.
var sink []byte

// TestLaterAllocationsLandInAdvisedMemory checks Reserve's premise: the
// heap's next large allocation lies in a mapping the kernel marks
// advised for huge pages ("hg" in its smaps VmFlags), which it was not
// before. (The one before stays live: freed, its memory, lower and not
// advised, would be reused first.) Whether the kernel then backs it with
// huge pages depends on its settings (transparent_hugepage "never" does
// not), so that is reported, not asserted.
func TestLaterAllocationsLandInAdvisedMemory(t *testing.T) {
	before := make([]byte, 8<<20)
	defer runtime.KeepAlive(before)
	if advised(t, before) {
		t.Skip("the heap is already advised for huge pages (an earlier Reserve in this process: -count > 1)")
	}
	if err := Reserve(64 << 20); err != nil {
		t.Fatalf("Reserve: %v", err)
	}
	sink = make([]byte, 8<<20)
	for i := range sink {
		sink[i] = 1
	}
	if !advised(t, sink) {
		t.Fatalf("an 8 MiB allocation after Reserve (at %p; the one before at %p) lies in memory not advised for huge pages", unsafe.SliceData(sink), unsafe.SliceData(before))
	}
	t.Logf("transparent huge pages backing it: %d KiB", hugeKiB(t, sink))
}

// vma returns the smaps block of the mapping that holds b's first whole
// huge page (advice applies to whole huge pages only).
func vma(t *testing.T, b []byte) map[string]string {
	t.Helper()
	addr := (uint64(uintptr(unsafe.Pointer(unsafe.SliceData(b)))) + hugePage - 1) &^ (hugePage - 1)
	f, err := os.Open("/proc/self/smaps")
	if err != nil {
		t.Skipf("no /proc/self/smaps: %v", err)
	}
	defer f.Close()
	var cur map[string]string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Text()
		if lo, hi, ok := rangeOf(line); ok {
			if cur != nil {
				return cur
			}
			if lo <= addr && addr < hi {
				cur = map[string]string{}
			}
			continue
		}
		if k, v, ok := strings.Cut(line, ":"); ok && cur != nil {
			cur[k] = strings.TrimSpace(v)
		}
	}
	if cur == nil {
		t.Fatalf("no mapping holds %#x", addr)
	}
	return cur
}

// rangeOf parses a mapping's header line ("lo-hi perms ...").
func rangeOf(line string) (lo, hi uint64, ok bool) {
	r, _, _ := strings.Cut(line, " ")
	l, h, found := strings.Cut(r, "-")
	if !found {
		return 0, 0, false
	}
	lo, err1 := strconv.ParseUint(l, 16, 64)
	hi, err2 := strconv.ParseUint(h, 16, 64)
	return lo, hi, err1 == nil && err2 == nil
}

func advised(t *testing.T, b []byte) bool {
	return strings.Contains(" "+vma(t, b)["VmFlags"]+" ", " hg ")
}

func hugeKiB(t *testing.T, b []byte) int {
	n, _ := strconv.Atoi(strings.TrimSuffix(vma(t, b)["AnonHugePages"], " kB"))
	return n
}

// TestReserveLeavesALimitedAddressSpaceAlone: under ulimit -v, the object
// Reserve maps must fit well within the limit, or it is not made.
func TestReserveLeavesALimitedAddressSpaceAlone(t *testing.T) {
	for _, c := range []struct {
		limit uint64
		n     int
		want  bool
	}{
		{^uint64(0), 256 << 20, true},
		{8 << 30, 256 << 20, true},
		{1000000 << 10, 256 << 20, false}, // ulimit -v 1000000: the runtime died
		{1 << 30, 256 << 20, false},
	} {
		if got := fits(c.limit, c.n); got != c.want {
			t.Errorf("fits(limit %d, %d bytes) = %v, want %v", c.limit, c.n, got, c.want)
		}
	}
}
