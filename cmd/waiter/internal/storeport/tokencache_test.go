package storeport

import (
	"errors"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/waiter-go/waiter/adapters/bolt"
	waiterhttp "github.com/waiter-go/waiter/adapters/http"
)

func TestTokenCacheSeesEveryWrite(t *testing.T) {
	db, err := bolt.Open(filepath.Join(t.TempDir(), "waiter.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	s := New(db, 0)
	now := time.Unix(0, 0)
	if _, err := s.GetToken("tok", false); !errors.Is(err, waiterhttp.ErrTokenNotFound) {
		t.Fatalf("missing token: %v", err)
	}
	if _, _, err := s.PutToken("tok", map[string]any{"cmd": "a", "owner": "me"}, "", "me", now); err != nil {
		t.Fatal(err)
	}
	got, err := s.GetToken("tok", false)
	if err != nil || got.Data["cmd"] != "a" {
		t.Fatalf("cached not-found survived a create: %v %v", got, err)
	}
	if _, _, err := s.PutToken("tok", map[string]any{"cmd": "b", "owner": "me"}, "", "me", now); err != nil {
		t.Fatal(err)
	}
	if got, _ := s.GetToken("tok", false); got.Data["cmd"] != "b" {
		t.Fatalf("stale token after an update: %v", got.Data)
	}
	if _, err := s.DeleteToken("tok", false, "", "me", now); err != nil {
		t.Fatal(err)
	}
	if _, err := s.GetToken("tok", false); !errors.Is(err, waiterhttp.ErrTokenNotFound) {
		t.Fatalf("deleted token still served: %v", err)
	}
}

func TestTokenCacheDropsReadsThatRaceAWrite(t *testing.T) {
	c := &tokenCache{max: 10, m: map[string]cachedToken{}}
	_, gen, hit, _ := c.get("tok")
	if hit {
		t.Fatal("hit in an empty cache")
	}
	c.forget("tok") // a write lands while the read is in flight
	c.put("tok", waiterhttp.Token{Name: "tok", ETag: "old"}, nil, gen)
	if _, _, hit, _ := c.get("tok"); hit {
		t.Fatal("a read that raced a write was cached")
	}
}

// The cache stays within its size however many names are looked up.
func TestTokenCacheIsBounded(t *testing.T) {
	db, err := bolt.Open(filepath.Join(t.TempDir(), "waiter.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	s := New(db, 100)
	for i := range 1000 {
		if _, err := s.GetToken(fmt.Sprint("made-up-", i), false); !errors.Is(err, waiterhttp.ErrTokenNotFound) {
			t.Fatal(err)
		}
		if n := s.CachedTokens(); n > 100 {
			t.Fatalf("%d entries after %d lookups, past the size 100", n, i+1)
		}
	}
}
