package workdir

import (
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"testing"

	"github.com/waiter-go/waiter"
)

func setup(t *testing.T) Folders {
	t.Helper()
	base := t.TempDir()
	inst := filepath.Join(base, "svc", "svc.1")
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(os.MkdirAll(filepath.Join(inst, "logs"), 0o755))
	must(os.WriteFile(filepath.Join(inst, "stdout"), []byte("hello\n"), 0o644))
	must(os.WriteFile(filepath.Join(inst, "logs", "app.log"), []byte("x"), 0o644))
	must(os.WriteFile(filepath.Join(base, "secret"), []byte("no"), 0o644))
	must(os.MkdirAll(filepath.Join(base, "svc", "svc.2"), 0o755))
	must(os.WriteFile(filepath.Join(base, "svc", "svc.2", "other"), []byte("no"), 0o644))
	must(os.Symlink(filepath.Join(base, "secret"), filepath.Join(inst, "escape")))
	must(os.Symlink("../svc.2", filepath.Join(inst, "sibling")))
	return Folders{Base: base}
}

func TestListAndOpen(t *testing.T) {
	f := setup(t)
	list, err := f.List("svc", "svc.1", "")
	if err != nil {
		t.Fatal(err)
	}
	if got := len(list); got != 4 || list[1].Name != "logs" || !list[1].Dir || list[3].Name != "stdout" || list[3].Size != 6 {
		t.Fatalf("listing %v", list)
	}
	sub, err := f.List("svc", "svc.1", "logs")
	if err != nil || len(sub) != 1 || sub[0].Path != "logs/app.log" {
		t.Fatalf("logs/ = %v, %v", sub, err)
	}
	rc, e, err := f.Open("svc", "svc.1", "stdout")
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(rc)
	_ = rc.Close()
	if string(b) != "hello\n" || e.Size != 6 {
		t.Errorf("stdout = %q (%d)", b, e.Size)
	}
}

// Nothing outside the instance's folder can be listed or read: not by
// "..", an absolute path, a symbolic link pointing out, nor by ids that
// are paths.
func TestNeverEscapes(t *testing.T) {
	f := setup(t)
	for _, dir := range []string{"..", "../..", "../svc.2", "/", "/etc", "logs/../..", "sibling"} {
		if _, err := f.List("svc", "svc.1", dir); err == nil {
			t.Errorf("List(%q) succeeded", dir)
		}
	}
	for _, p := range []string{"../../secret", "/etc/passwd", "escape", "sibling/other", "logs", "missing"} {
		if rc, _, err := f.Open("svc", "svc.1", p); err == nil {
			_ = rc.Close()
			t.Errorf("Open(%q) succeeded", p)
		} else if p != "missing" && p != "logs" && !errors.Is(err, waiter.ErrBadPath) {
			t.Errorf("Open(%q): %v, want ErrBadPath", p, err)
		}
	}
	if _, _, err := f.Open("svc", "svc.1", "missing"); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("missing file: %v", err)
	}
	for _, ids := range [][2]string{{"svc", ".."}, {"..", "svc"}, {"svc", "svc.1/../svc.2"}, {"svc", ""}, {"svc", "nope"}} {
		if _, err := f.List(ids[0], ids[1], ""); !errors.Is(err, waiter.ErrInstanceNotFound) {
			t.Errorf("List(%q, %q): %v, want ErrInstanceNotFound", ids[0], ids[1], err)
		}
	}
}
