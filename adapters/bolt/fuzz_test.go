package bolt_test

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"testing"
	"time"

	"github.com/waiter-go/waiter"
	bbolt "go.etcd.io/bbolt"

	"github.com/waiter-go/waiter/adapters/bolt"
)

// Bounds on one fuzzed Open. A small file checks in well under a
// millisecond; the deadline only catches a check that does not end.
const (
	fuzzOpenDeadline = 5 * time.Second
	fuzzAllocBound   = 64 << 20
)

// fuzzPristine writes a small but many-page store (tokens with history,
// an owner index, services, an override) and returns its bytes, laid out
// the same on every run, so that seeds, which patch it at offsets, keep
// their meaning. A store written through the API is not: bbolt spills the
// buckets a transaction dirtied in map order, so their pages land in a
// different order each time. Copying it with bbolt.Compact, committing
// after every key, dirties one bucket per transaction and fixes the
// layout (for a given page size).
func fuzzPristine(f testing.TB) []byte {
	f.Helper()
	src := filepath.Join(f.TempDir(), "written.db")
	s, err := bolt.Open(src)
	if err != nil {
		f.Fatal(err)
	}
	bolt.SetNoSync(s, true)
	for i := range 40 {
		name := fmt.Sprintf("tok-%02d", i)
		for v := range 3 {
			data := map[string]any{"cmd": fmt.Sprintf("kitchen -p $PORT0 --v%d", v), "mem": 64 + i, "cpus": 0.5}
			if _, _, err := s.PutToken(name, data, "", fmt.Sprintf("user-%d", i%3), t0); err != nil {
				f.Fatal(err)
			}
		}
		if _, err := s.PutServiceDescription(fmt.Sprintf("svc-%02d", i), map[string]any{"cmd": "ls", "n": i}); err != nil {
			f.Fatal(err)
		}
	}
	if err := s.PutOverride("svc-00", map[string]any{"cpus": 2}, "alice", t0); err != nil {
		f.Fatal(err)
	}
	if err := s.Close(); err != nil {
		f.Fatal(err)
	}
	path := filepath.Join(f.TempDir(), "pristine.db")
	from, err := bbolt.Open(src, 0o600, &bbolt.Options{ReadOnly: true})
	if err != nil {
		f.Fatal(err)
	}
	defer from.Close()
	to, err := bbolt.Open(path, 0o600, &bbolt.Options{NoSync: true})
	if err != nil {
		f.Fatal(err)
	}
	if err := bbolt.Compact(to, from, 1); err != nil {
		f.Fatal(err)
	}
	if err := to.Close(); err != nil {
		f.Fatal(err)
	}
	raw, err := os.ReadFile(path)
	if err != nil {
		f.Fatal(err)
	}
	return raw
}

// mutate builds the file a fuzz input describes. With whole set, the
// patches are the file. Otherwise the pristine file is patched: patches
// is a list of (offset uint32 little-endian, length byte, bytes), offsets
// taken modulo the file's size, and then, if truncate is not zero, the
// file is cut to truncate modulo its size plus one. Patching a real store
// lets the fuzzer reach the checks behind the header; whole files cover
// foreign and tiny inputs.
func mutate(pristine []byte, truncate uint32, patches []byte, whole bool) []byte {
	if whole {
		return patches
	}
	out := append([]byte(nil), pristine...)
	for len(patches) >= 5 {
		off := int(binary.LittleEndian.Uint32(patches) % uint32(len(out)))
		n := min(int(patches[4]), len(patches)-5)
		copy(out[off:], patches[5:5+n])
		patches = patches[5+n:]
	}
	if truncate != 0 {
		out = out[:int(truncate%uint32(len(out)+1))]
	}
	return out
}

// FuzzOpen opens mutated store files. Open must return, within the
// deadline and allocation bound, either an error saying the file is
// foreign, damaged or of another schema version, or a store that works:
// every read returns data or a clean error, a write succeeds, and the file
// the write leaves behind opens again with the write in it.
func FuzzOpen(f *testing.F) {
	pristine := fuzzPristine(f)
	f.Add(uint32(0), []byte(nil), false)
	f.Add(uint32(len(pristine)/2), []byte(nil), false)
	f.Add(uint32(0), []byte{}, true)
	f.Add(uint32(0), []byte("listen: 9091\n"), true)
	path := filepath.Join(f.TempDir(), "waiter.db")
	f.Fuzz(func(t *testing.T, truncate uint32, patches []byte, whole bool) {
		raw := mutate(pristine, truncate, patches, whole)
		if err := os.WriteFile(path, raw, 0o600); err != nil {
			t.Fatal(err)
		}
		s, err := openBounded(t, path)
		if err != nil {
			if !errors.Is(err, bolt.ErrCorrupt) && !errors.Is(err, bolt.ErrForeignFile) && !errors.Is(err, bolt.ErrSchemaVersion) {
				t.Fatalf("Open of a %d-byte file: unexpected error %v", len(raw), err)
			}
			return
		}
		exercise(t, s)
		if _, _, err := s.PutToken("fuzz-written", map[string]any{"cmd": "ls"}, "", "fuzz", t0); err != nil {
			_ = s.Close()
			t.Fatalf("write to a store Open accepted: %v", err)
		}
		if err := s.Close(); err != nil {
			t.Fatal(err)
		}
		s, err = openBounded(t, path)
		if err != nil {
			t.Fatalf("reopening a store after writing to it: %v", err)
		}
		defer s.Close()
		if tok, err := s.GetToken("fuzz-written", false); err != nil || tok.Data["cmd"] != "ls" {
			t.Fatalf("the acknowledged write is gone after reopening: %+v, %v", tok, err)
		}
	})
}

// openBounded opens path under the fuzz deadline and fails the input if
// Open allocates more than the bound.
func openBounded(t *testing.T, path string) (*bolt.Store, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), fuzzOpenDeadline)
	defer cancel()
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	s, err := bolt.OpenContext(ctx, path, bolt.WithLockTimeout(time.Second))
	runtime.ReadMemStats(&after)
	if alloc := after.TotalAlloc - before.TotalAlloc; alloc > fuzzAllocBound {
		if s != nil {
			_ = s.Close()
		}
		t.Fatalf("Open allocated %d MiB, bound %d MiB", alloc>>20, fuzzAllocBound>>20)
	}
	return s, err
}

// exercise reads everything a router reads. Damaged records may fail, but
// only as corrupt records; nothing may panic.
func exercise(t *testing.T, s *bolt.Store) {
	t.Helper()
	clean := func(what string, err error) {
		if err != nil && !errors.Is(err, waiter.ErrCorruptRecord) && !errors.Is(err, waiter.ErrTokenNotFound) &&
			!errors.Is(err, waiter.ErrServiceNotFound) {
			t.Fatalf("%s on a store Open accepted: %v", what, err)
		}
	}
	toks, err := s.ListTokens(waiter.TokenFilter{IncludeDeleted: true})
	clean("ListTokens", err)
	for _, tok := range toks {
		_, err := s.GetToken(tok.Name, true)
		clean("GetToken", err)
		_, err = s.TokenHistory(tok.Name)
		clean("TokenHistory", err)
	}
	owners, err := s.Owners()
	clean("Owners", err)
	_, err = s.ListTokens(waiter.TokenFilter{Owners: owners})
	clean("ListTokens by owner", err)
	descs, err := s.ListServiceDescriptions()
	clean("ListServiceDescriptions", err)
	for _, d := range descs {
		_, err := s.GetOverride(d.ID)
		clean("GetOverride", err)
		_, err = s.GetSuspended(d.ID)
		clean("GetSuspended", err)
	}
	_ = s.StoreHealth()
}
