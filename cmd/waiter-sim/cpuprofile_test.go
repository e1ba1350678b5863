package main

import (
	"bytes"
	"compress/gzip"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// run --cpu-profile FILE writes a pprof CPU profile (gzipped protobuf
// whose string table names its sample type, cpu in nanoseconds); a file
// it cannot create is a usage error that names it, and no report is
// written. Not parallel: a process has one CPU profile at a time.
func TestRunWritesACPUProfile(t *testing.T) {
	dir := t.TempDir()
	prof := filepath.Join(dir, "tiny.pprof")
	if code, _, stderr := sim(t, "run", "testdata/tiny.yaml", "--out", dir, "--cpu-profile", prof); code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	f, err := os.Open(prof)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		t.Fatalf("profile is not gzipped: %v", err)
	}
	b, err := io.ReadAll(zr)
	if err != nil {
		t.Fatalf("profile: %v", err)
	}
	for _, want := range []string{"cpu", "nanoseconds"} {
		if !bytes.Contains(b, []byte(want)) {
			t.Errorf("profile's strings lack %q: not a CPU profile", want)
		}
	}

	bad := filepath.Join(dir, "no-such-dir", "x.pprof")
	out := filepath.Join(dir, "bad")
	code, _, stderr := sim(t, "run", "testdata/tiny.yaml", "--out", out, "--cpu-profile", bad)
	if code != 2 || !strings.Contains(stderr, bad) {
		t.Errorf("unwritable profile: exit %d, %q; want 2 naming %s", code, stderr, bad)
	}
	if _, err := os.Stat(out); !os.IsNotExist(err) {
		t.Errorf("reports written despite the profile's error: %v", err)
	}
}
