package bolt

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// cancelAfter is a file that cancels a context once it has served n page
// reads: the point of the test is that the walk notices mid-way, not only
// before it starts.
type cancelAfter struct {
	f      *os.File
	n      int64
	reads  atomic.Int64
	cancel context.CancelFunc
}

func (c *cancelAfter) ReadAt(p []byte, off int64) (int, error) {
	if c.reads.Add(1) == c.n {
		c.cancel()
	}
	return c.f.ReadAt(p, off)
}

func TestWalkStopsWhenContextEnds(t *testing.T) {
	path := filepath.Join(t.TempDir(), "waiter.db")
	s, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	s.db.NoSync = true
	for i := range 300 {
		data := map[string]any{"cmd": strings.Repeat("x", 200), "n": i}
		if _, _, err := s.PutToken(fmt.Sprintf("t-%03d", i), data, "", "alice", time.Unix(0, 0)); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	info, err := f.Stat()
	if err != nil {
		t.Fatal(err)
	}
	h, err := readHeader(f, path, info.Size())
	if err != nil {
		t.Fatal(err)
	}
	if err := walkPages(context.Background(), f, h, nil); err != nil {
		t.Fatalf("undamaged file: %v", err)
	}

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	r := &cancelAfter{f: f, n: 10, cancel: cancel}
	err = walkPages(ctx, r, h, nil)
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("walk with a context cancelled after 10 reads = %v, want context.Canceled", err)
	}
	// The freelist read is the first; the walk then reads tree pages
	// until the next page it would read finds the context ended.
	if want := fmt.Sprintf("stopped after checking 9 of %d pages", h.meta.pgid); !strings.Contains(err.Error(), want) {
		t.Fatalf("error %q does not say %q", err, want)
	}
	if got := r.reads.Load(); got != 10 {
		t.Fatalf("walk read %d pages after the context ended at read 10", got)
	}
}
