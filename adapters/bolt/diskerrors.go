package bolt

import (
	"errors"
	"syscall"

	berrors "go.etcd.io/bbolt/errors"
)

// isDiskFull reports whether err says the file system cannot take more
// data: no space, no quota, or the process's file size limit.
func isDiskFull(err error) bool {
	return errors.Is(err, syscall.ENOSPC) || errors.Is(err, syscall.EDQUOT) || errors.Is(err, syscall.EFBIG)
}

// isReadOnly reports whether err says the store cannot be written at all:
// a read-only file system (also what Linux remounts a failing disk as),
// or a store opened read-only.
func isReadOnly(err error) bool {
	return errors.Is(err, syscall.EROFS) || errors.Is(err, berrors.ErrDatabaseReadOnly) || errors.Is(err, errOpenedReadOnly)
}

// cannotOpenForWriting reports whether opening the file for writing
// failed because it may only be read, in which case Open falls back to a
// read-only store.
func cannotOpenForWriting(err error) bool {
	return errors.Is(err, syscall.EROFS) || errors.Is(err, syscall.EACCES) || errors.Is(err, syscall.EPERM)
}
