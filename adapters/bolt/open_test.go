package bolt_test

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/waiter-go/waiter"
	bbolt "go.etcd.io/bbolt"

	"github.com/waiter-go/waiter/adapters/bolt"
)

// pristineStore writes a store with enough tokens, history and services to
// span many pages, closes it, and returns its path and bytes. Fsync is off
// while it writes: what these tests damage is the file's content.
func pristineStore(t *testing.T) (string, []byte) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "waiter.db")
	s, err := bolt.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	bolt.SetNoSync(s, true)
	for i := range 200 {
		name := fmt.Sprintf("token-%03d", i)
		data := map[string]any{"cmd": strings.Repeat("x", 100), "cpus": 1, "mem": 128 + i}
		mustPut(t, s, name, data, "", "alice", t0)
		data["mem"] = 1 + i
		mustPut(t, s, name, data, "", "alice", t0.Add(time.Minute))
		if _, err := s.PutServiceDescription(fmt.Sprintf("s-%03d", i), data); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return path, raw
}

// writeFile replaces path's contents.
func writeFile(t *testing.T, path string, raw []byte) {
	t.Helper()
	if err := os.WriteFile(path, raw, 0o600); err != nil {
		t.Fatal(err)
	}
}

// wantOpenError opens path and checks the error wraps want and names path.
func wantOpenError(t *testing.T, path string, want error) {
	t.Helper()
	s, err := bolt.Open(path, bolt.WithLockTimeout(100*time.Millisecond))
	if err == nil {
		_ = s.Close()
		t.Fatalf("Open(%s) succeeded, want %v", path, want)
	}
	if !errors.Is(err, want) {
		t.Fatalf("Open(%s) = %v, want an error wrapping %v", path, err, want)
	}
	if !strings.Contains(err.Error(), path) {
		t.Fatalf("error %q does not name the path %s", err, path)
	}
	t.Logf("got: %v", err)
}

func TestOpen_CreatesAndReopens(t *testing.T) {
	s := openStore(t)
	mustPut(t, s, "app", map[string]any{"cmd": "ls"}, "", "alice", t0)
	if _, err := s.PutServiceDescription("svc1", map[string]any{"cmd": "ls"}); err != nil {
		t.Fatal(err)
	}
	s = reopen(t, s)
	tok, err := s.GetToken("app", false)
	if err != nil {
		t.Fatal(err)
	}
	if tok.Data["cmd"] != "ls" || tok.Owner() != "alice" {
		t.Fatalf("after reopen got %+v", tok)
	}
	if _, err := s.GetServiceDescription("svc1"); err != nil {
		t.Fatal(err)
	}
}

func TestOpen_MissingFolder(t *testing.T) {
	path := filepath.Join(t.TempDir(), "no-such-dir", "waiter.db")
	_, err := bolt.Open(path)
	if err == nil || !errors.Is(err, os.ErrNotExist) || !strings.Contains(err.Error(), path) {
		t.Fatalf("Open = %v, want a not-exist error naming %s", err, path)
	}
}

func TestOpen_Locked(t *testing.T) {
	s := openStore(t)
	wantOpenError(t, s.Path(), bolt.ErrLocked)
	// The lock goes with the first store: once closed, the file opens.
	s2 := reopen(t, s)
	if _, err := s2.ListTokens(waiter.TokenFilter{}); err != nil {
		t.Fatal(err)
	}
}

func TestOpen_ForeignFiles(t *testing.T) {
	dir := t.TempDir()

	t.Run("TextFile", func(t *testing.T) {
		path := filepath.Join(dir, "notes.txt")
		writeFile(t, path, []byte("listen: 9091\ndata-dir: /var/lib/waiter\n"))
		wantOpenError(t, path, bolt.ErrForeignFile)
	})
	t.Run("RandomBytes", func(t *testing.T) {
		path := filepath.Join(dir, "random.bin")
		raw := make([]byte, 64<<10)
		rng := rand.New(rand.NewPCG(1, 2))
		for i := range raw {
			raw[i] = byte(rng.Uint32())
		}
		writeFile(t, path, raw)
		wantOpenError(t, path, bolt.ErrForeignFile)
	})
	t.Run("Directory", func(t *testing.T) {
		wantOpenError(t, dir, bolt.ErrForeignFile)
	})
	t.Run("BboltWithoutMarker", func(t *testing.T) {
		path := filepath.Join(dir, "other.db")
		withBbolt(t, path, func(tx *bbolt.Tx) error {
			b, err := tx.CreateBucket([]byte("users"))
			if err != nil {
				return err
			}
			return b.Put([]byte("alice"), []byte("{}"))
		})
		wantOpenError(t, path, bolt.ErrForeignFile)
	})
	t.Run("BboltWithOtherMarker", func(t *testing.T) {
		path := filepath.Join(dir, "marker.db")
		withBbolt(t, path, func(tx *bbolt.Tx) error {
			b, err := tx.CreateBucket([]byte("meta"))
			if err != nil {
				return err
			}
			return b.Put([]byte("schema"), []byte("someone-else"))
		})
		wantOpenError(t, path, bolt.ErrForeignFile)
	})
}

func TestOpen_SchemaVersion(t *testing.T) {
	s := openStore(t)
	path := s.Path()
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	withBbolt(t, path, func(tx *bbolt.Tx) error {
		return tx.Bucket([]byte("meta")).Put([]byte("version"), []byte("3"))
	})
	wantOpenError(t, path, bolt.ErrSchemaVersion)
}

func TestOpen_AdoptsEmptyBbolt(t *testing.T) {
	path := filepath.Join(t.TempDir(), "empty.db")
	withBbolt(t, path, func(*bbolt.Tx) error { return nil })
	s, err := bolt.Open(path)
	if err != nil {
		t.Fatalf("Open of an empty bbolt file: %v", err)
	}
	defer s.Close()
	mustPut(t, s, "app", map[string]any{"cmd": "ls"}, "", "alice", t0)
}

func TestOpen_Truncated(t *testing.T) {
	path, raw := pristineStore(t)
	for _, keep := range []int{len(raw) / 2, 3 * os.Getpagesize(), 100} {
		t.Run(fmt.Sprint(keep), func(t *testing.T) {
			writeFile(t, path, raw[:keep])
			wantOpenError(t, path, bolt.ErrCorrupt)
		})
	}
}

func TestOpen_DamagedMetaPages(t *testing.T) {
	path, raw := pristineStore(t)
	bad := append([]byte(nil), raw...)
	page := os.Getpagesize()
	// Flip a byte inside both meta pages (past the magic), so both fail
	// their checksum.
	bad[16+20] ^= 0xff
	bad[page+16+20] ^= 0xff
	writeFile(t, path, bad)
	wantOpenError(t, path, bolt.ErrCorrupt)
}

func TestOpen_RandomBytesOverData(t *testing.T) {
	path, raw := pristineStore(t)
	page := os.Getpagesize()
	bad := append([]byte(nil), raw...)
	rng := rand.New(rand.NewPCG(7, 7))
	for i := 2 * page; i < len(bad); i++ {
		bad[i] = byte(rng.Uint32())
	}
	writeFile(t, path, bad)
	wantOpenError(t, path, bolt.ErrCorrupt)
}

// TestOpen_DamagedFreelist damages the page bbolt loads while opening.
// Besides the error, the failed Open must not keep the file locked: a
// pristine file at the same path opens straight after.
func TestOpen_DamagedFreelist(t *testing.T) {
	path, raw := pristineStore(t)
	page := os.Getpagesize()
	// Page 0's meta follows its page header; the freelist id is at +32.
	freelist := int(binary.NativeEndian.Uint64(raw[pageHeader+32:]))
	if freelist < 2 || (freelist+1)*page > len(raw) {
		t.Fatalf("pristine store has freelist page %d", freelist)
	}
	off := freelist * page
	damages := []struct {
		name   string
		damage func(b []byte)
	}{
		{"RandomBytes", func(b []byte) {
			rng := rand.New(rand.NewPCG(3, 4))
			for i := off; i < off+page; i++ {
				b[i] = byte(rng.Uint32())
			}
		}},
		{"HugeCount", func(b []byte) {
			binary.NativeEndian.PutUint16(b[off+10:], 0xFFFF)
			binary.NativeEndian.PutUint64(b[off+pageHeader:], 1<<40)
		}},
		{"NotAFreelist", func(b []byte) {
			binary.NativeEndian.PutUint16(b[off+8:], 0x02) // leaf
		}},
	}
	for _, d := range damages {
		t.Run(d.name, func(t *testing.T) {
			bad := append([]byte(nil), raw...)
			d.damage(bad)
			writeFile(t, path, bad)
			wantOpenError(t, path, bolt.ErrCorrupt)

			writeFile(t, path, raw)
			s, err := bolt.Open(path, bolt.WithLockTimeout(100*time.Millisecond))
			if err != nil {
				t.Fatalf("pristine file after a refused open: %v", err)
			}
			_ = s.Close()
		})
	}
}

// pageHeader is the size of bbolt's page header (id, flags, count, overflow).
const pageHeader = 16

// TestOpen_RandomPageNeverCrashes overwrites one data page at a time with
// random bytes. Depending on the page, Open may still succeed (a free
// page) or must fail with ErrCorrupt; it must never crash the process or
// return another error.
func TestOpen_RandomPageNeverCrashes(t *testing.T) {
	path, raw := pristineStore(t)
	page := os.Getpagesize()
	pages := len(raw) / page
	opened, refused := 0, 0
	for seed := range uint64(40) {
		rng := rand.New(rand.NewPCG(seed, 99))
		bad := append([]byte(nil), raw...)
		p := 2 + rng.IntN(pages-2)
		for i := p * page; i < (p+1)*page; i++ {
			bad[i] = byte(rng.Uint32())
		}
		writeFile(t, path, bad)
		s, err := bolt.Open(path)
		if err == nil {
			opened++
			checkPristineContents(t, s)
			_ = s.Close()
			continue
		}
		if !errors.Is(err, bolt.ErrCorrupt) {
			t.Fatalf("seed %d, page %d: Open = %v, want success or ErrCorrupt", seed, p, err)
		}
		refused++
	}
	t.Logf("%d damaged files refused, %d opened (damage on free pages)", refused, opened)
	if refused == 0 {
		t.Fatal("no damaged file was refused; the check is not reading the data")
	}
}

// checkPristineContents checks a store that opened despite damage still
// holds everything pristineStore wrote: the damage was on a free page.
func checkPristineContents(t *testing.T, s *bolt.Store) {
	t.Helper()
	toks, err := s.ListTokens(waiter.TokenFilter{})
	if err != nil || len(toks) != 200 {
		t.Fatalf("damaged store opened but lists %d tokens, err %v", len(toks), err)
	}
	for i, tok := range toks {
		if tok.Data["mem"] != float64(1+i) {
			t.Fatalf("damaged store opened but token %s has mem %v", tok.Name, tok.Data["mem"])
		}
		if h, err := s.TokenHistory(tok.Name); err != nil || len(h) != 1 {
			t.Fatalf("damaged store opened but history of %s is %d entries, err %v", tok.Name, len(h), err)
		}
	}
	descs, err := s.ListServiceDescriptions()
	if err != nil || len(descs) != 200 {
		t.Fatalf("damaged store opened but lists %d services, err %v", len(descs), err)
	}
}

// withBbolt writes a plain bbolt file, as another program would.
func withBbolt(t *testing.T, path string, fn func(*bbolt.Tx) error) {
	t.Helper()
	db, err := bbolt.Open(path, 0o600, &bbolt.Options{Timeout: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	if err := db.Update(fn); err != nil {
		t.Fatal(err)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
}

// TestOpen_CreatesWhole checks a new store is created under a temporary
// name and linked into place: a leftover temporary file from a crash while
// creating is replaced, and none is left behind.
func TestOpen_CreatesWhole(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "waiter.db")
	writeFile(t, path+".creating", []byte("half-written by a router that was killed"))
	s, err := bolt.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	mustPut(t, s, "app", map[string]any{"cmd": "ls"}, "", "alice", t0)
	_ = s.Close()
	entries, err := os.ReadDir(dir)
	if err != nil || len(entries) != 1 || entries[0].Name() != "waiter.db" {
		t.Fatalf("folder after creating the store: %v, %v; want only waiter.db", entries, err)
	}
}
