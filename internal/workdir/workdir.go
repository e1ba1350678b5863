package workdir

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"

	"github.com/waiter-go/waiter"
)

// MaxEntries bounds a listing (and the memory it takes): of a folder with
// more entries, MaxEntries of them are listed, by name.
const MaxEntries = 10000

// Folders implements waiter.InstanceFiles over Base.
type Folders struct{ Base string }

var _ waiter.InstanceFiles = Folders{}

// root opens the instance's folder as an os.Root.
func (f Folders) root(serviceID, instanceID string) (*os.Root, error) {
	for _, part := range []string{serviceID, instanceID} {
		if part == "" || part == "." || part == ".." || strings.ContainsAny(part, `/\`) {
			return nil, fmt.Errorf("instance %q of %q: %w", instanceID, serviceID, waiter.ErrInstanceNotFound)
		}
	}
	r, err := os.OpenRoot(filepath.Join(f.Base, serviceID, instanceID))
	if err != nil {
		return nil, fmt.Errorf("instance %s of %s: %w", instanceID, serviceID, waiter.ErrInstanceNotFound)
	}
	return r, nil
}

// clean makes rel a path inside the root: "" and "." are the root itself;
// an absolute path or one climbing out is ErrBadPath (os.Root would refuse
// it too, and symbolic links leading out as well).
func clean(rel string) (string, error) {
	if rel == "" {
		return ".", nil
	}
	c := path.Clean(rel)
	if path.IsAbs(c) || c == ".." || strings.HasPrefix(c, "../") {
		return "", fmt.Errorf("%q: %w", rel, waiter.ErrBadPath)
	}
	return c, nil
}

func pathError(rel string, err error) error {
	if errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("%q: %w", rel, fs.ErrNotExist)
	}
	return fmt.Errorf("%q: %w: %v", rel, waiter.ErrBadPath, err)
}

// List returns the entries of dir in the instance's folder, by name.
func (f Folders) List(serviceID, instanceID, dir string) ([]waiter.FileEntry, error) {
	rel, err := clean(dir)
	if err != nil {
		return nil, err
	}
	r, err := f.root(serviceID, instanceID)
	if err != nil {
		return nil, err
	}
	defer r.Close()
	d, err := r.Open(rel)
	if err != nil {
		return nil, pathError(dir, err)
	}
	defer d.Close()
	names, err := d.Readdirnames(MaxEntries)
	if err != nil && !errors.Is(err, io.EOF) {
		return nil, pathError(dir, err)
	}
	sort.Strings(names)
	out := make([]waiter.FileEntry, 0, len(names))
	for _, n := range names {
		p := path.Join(rel, n)
		st, err := r.Lstat(p)
		if err != nil {
			continue // gone meanwhile
		}
		out = append(out, waiter.FileEntry{Name: n, Path: p, Size: st.Size(), Dir: st.IsDir()})
	}
	return out, nil
}

// Open opens a regular file of the instance's folder.
func (f Folders) Open(serviceID, instanceID, file string) (io.ReadCloser, waiter.FileEntry, error) {
	rel, err := clean(file)
	if err != nil {
		return nil, waiter.FileEntry{}, err
	}
	r, err := f.root(serviceID, instanceID)
	if err != nil {
		return nil, waiter.FileEntry{}, err
	}
	defer r.Close()
	fh, err := r.Open(rel)
	if err != nil {
		return nil, waiter.FileEntry{}, pathError(file, err)
	}
	st, err := fh.Stat()
	if err != nil || !st.Mode().IsRegular() {
		_ = fh.Close()
		return nil, waiter.FileEntry{}, fmt.Errorf("%q is not a file: %w", file, waiter.ErrBadPath)
	}
	return fh, waiter.FileEntry{Name: st.Name(), Path: rel, Size: st.Size()}, nil
}
