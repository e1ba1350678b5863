package bolt

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"time"

	bbolt "go.etcd.io/bbolt"
)

// createStoreFile creates a new, empty store at path, whole or not at all:
// it is written under a temporary name (path + ".creating"), fsynced, and
// only then linked into place. A router killed while creating its store
// therefore leaves no file, or a leftover temporary file, at path: never
// a 0-byte or half-written store that a later Open would have to guess
// about. If another process creates path meanwhile, its file is kept.
func createStoreFile(path string, lockTimeout time.Duration) error {
	tmp := path + ".creating"
	// A leftover from a crash while creating: it never held a write.
	if err := os.Remove(tmp); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("bolt: create %s: remove leftover %s: %w", path, tmp, err)
	}
	if err := initStoreFile(tmp, lockTimeout); err != nil {
		_ = os.Remove(tmp)
		return opError(fmt.Sprintf("create %s", path), err)
	}
	err := os.Link(tmp, path)
	if err != nil && !errors.Is(err, fs.ErrExist) {
		// No hard links on this file system: rename, unless path appeared.
		if _, statErr := os.Stat(path); errors.Is(statErr, fs.ErrNotExist) {
			err = os.Rename(tmp, path)
		}
	}
	_ = os.Remove(tmp)
	if err != nil && !errors.Is(err, fs.ErrExist) {
		return fmt.Errorf("bolt: create %s: %w", path, err)
	}
	return syncDir(filepath.Dir(path))
}

// initStoreFile writes an empty store with the current schema to path.
func initStoreFile(path string, lockTimeout time.Duration) error {
	db, err := bbolt.Open(path, 0o600, &bbolt.Options{Timeout: lockTimeout})
	if err != nil {
		return err
	}
	if err := db.Update(writeSchema); err != nil {
		_ = db.Close()
		return err
	}
	return db.Close()
}

// syncDir makes a new directory entry durable. Windows cannot sync a
// directory; there the entry is as durable as the OS makes it.
func syncDir(dir string) error {
	if runtime.GOOS == "windows" {
		return nil
	}
	d, err := os.Open(dir)
	if err == nil {
		err = d.Sync()
		_ = d.Close()
	}
	if err != nil {
		return fmt.Errorf("bolt: sync folder %s: %w", dir, err)
	}
	return nil
}
