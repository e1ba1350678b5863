package bolt

import (
	"context"
	"errors"
	"fmt"
	"os"
)

var (
	// errLockTimeout is lockFile giving up; Open reports ErrLocked.
	errLockTimeout = errors.New("lock timeout")
	// errOpenedReadOnly marks writes to a store opened read-only.
	errOpenedReadOnly = errors.New("the store was opened read-only")
)

// checkFile checks an existing store file through f before bbolt maps it:
// the header (header.go), then every page reachable from it (walk.go),
// passing every value to onValue.
// bbolt trusts what it reads, and a damaged file can crash it (SIGBUS past
// the end of a truncated file, faults on wild page pointers) or send it
// round a loop of pages forever; after this check neither can happen.
// It returns ErrForeignFile, ErrCorrupt, or ctx's error when the check
// was cut short, each naming the path.
func checkFile(ctx context.Context, f *os.File, path string, onValue func(path [][]byte, key, value []byte)) error {
	info, err := f.Stat()
	if err != nil {
		return fmt.Errorf("bolt: stat %s: %w", path, err)
	}
	if info.IsDir() {
		return fmt.Errorf("%w: %s is a directory", ErrForeignFile, path)
	}
	size := info.Size()
	if size == 0 {
		// New stores are created whole (create.go), so an empty file is
		// not one that was being created: it was truncated, or written by
		// something else. Opening it would silently start an empty store.
		return fmt.Errorf("%w: %s is empty (0 bytes); a store file always holds at least its header, "+
			"so it was truncated or replaced: restore it from a backup, or move it aside to start with an empty store",
			ErrCorrupt, path)
	}
	h, err := readHeader(f, path, size)
	if err != nil {
		return err
	}
	if err := walkPages(ctx, f, h, onValue); err != nil {
		if ctxErr := ctx.Err(); ctxErr != nil && errors.Is(err, ctxErr) {
			return fmt.Errorf("bolt: checking %s (%d bytes) did not finish: %w", path, size, err)
		}
		return fmt.Errorf("%w: %s: %w", ErrCorrupt, path, err)
	}
	return nil
}
