package osuser

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"syscall"
)

// CheckReach reports, as an *Error wrapping ErrUnreachable, when a cannot
// reach dir: every folder from / down to dir must be searchable (x) by
// it. A process started as a changes into its folder only after it has
// become a, so without this check the launch fails with a bare
// "permission denied" that names neither the folder nor the user. Only
// the mode bits count (POSIX ACLs are not read), and root reaches
// everything.
func (a Account) CheckReach(dir string) error {
	if a.UID == 0 {
		return nil
	}
	real, err := filepath.EvalSymlinks(dir)
	if err != nil {
		return fmt.Errorf("osuser: resolve %s: %w", dir, err)
	}
	real, err = filepath.Abs(real)
	if err != nil {
		return fmt.Errorf("osuser: resolve %s: %w", dir, err)
	}
	for p := real; ; p = filepath.Dir(p) {
		fi, err := os.Stat(p)
		if err != nil {
			return fmt.Errorf("osuser: stat %s: %w", p, err)
		}
		if !a.canSearch(fi) {
			return &Error{User: a.Name, Reason: ErrUnreachable,
				msg: fmt.Sprintf("run-as-user %s cannot reach %s: %s is not searchable by %s (%s)",
					a.Name, dir, p, a.Name, describe(fi))}
		}
		if p == filepath.Dir(p) {
			return nil
		}
	}
}

// canSearch applies the owner, group and other execute bits to a.
func (a Account) canSearch(fi fs.FileInfo) bool {
	st, ok := fi.Sys().(*syscall.Stat_t)
	if !ok {
		return true // not a Unix stat: nothing to judge by
	}
	mode := fi.Mode().Perm()
	switch {
	case st.Uid == a.UID:
		return mode&0o100 != 0
	case a.InGroup(st.Gid):
		return mode&0o010 != 0
	default:
		return mode&0o001 != 0
	}
}

// describe is a folder's mode and owner as ls shows them.
func describe(fi fs.FileInfo) string {
	if st, ok := fi.Sys().(*syscall.Stat_t); ok {
		return fmt.Sprintf("%v, owner uid %d, group gid %d", fi.Mode(), st.Uid, st.Gid)
	}
	return fi.Mode().String()
}
