package bolt_test

import (
	"errors"
	"testing"

	"github.com/waiter-go/waiter"
)

// TestReplaceDamagedToken: a damaged token can be overwritten (its intact
// history kept, the owner index pointing at the new owner only) or
// hard-deleted (history and index entries gone); an intact or missing
// token is never written over blind.
func TestReplaceDamagedToken(t *testing.T) {
	s := openStore(t)
	for _, name := range []string{"over", "gone"} {
		mustPut(t, s, name, map[string]any{"cmd": "v1"}, "", "alice", t0)
		mustPut(t, s, name, map[string]any{"cmd": "v2"}, "", "alice", t0)
	}
	if _, _, err := s.ReplaceDamagedToken("over", map[string]any{"cmd": "x"}, "ops", t0); !errors.Is(err, waiter.ErrPreconditionFailed) {
		t.Fatalf("replacing an intact token = %v, want ErrPreconditionFailed", err)
	}
	if _, _, err := s.ReplaceDamagedToken("nope", nil, "ops", t0); !errors.Is(err, waiter.ErrTokenNotFound) {
		t.Fatalf("replacing a missing token = %v, want ErrTokenNotFound", err)
	}
	path := closeStore(t, s)
	damageValue(t, path, "over", flipLast, "tokens")
	damageValue(t, path, "gone", flipLast, "tokens")
	s = reopenLogged(t, path, &logBuffer{})
	wantHealth(t, s, `token "gone"`, `token "over"`)

	tok, res, err := s.ReplaceDamagedToken("over", map[string]any{"cmd": "v3", "owner": "bob"}, "ops", t0)
	if err != nil || res != waiter.TokenUpdated || tok.Owner() != "bob" || tok.LastUpdateUser() != "ops" {
		t.Fatalf("overwrite = %+v, %v, %v", tok, res, err)
	}
	if got, err := s.GetToken("over", false); err != nil || got.Data["cmd"] != "v3" || got.ETag != tok.ETag {
		t.Fatalf("GetToken after overwrite = %+v, %v", got, err)
	}
	if hist, err := s.TokenHistory("over"); err != nil || len(hist) != 1 || hist[0].Data["cmd"] != "v1" {
		t.Fatalf("history after overwrite = %+v, %v; want the intact v1 kept", hist, err)
	}
	if _, _, err := s.ReplaceDamagedToken("over", nil, "ops", t0); !errors.Is(err, waiter.ErrPreconditionFailed) {
		t.Fatalf("a second repair of a repaired token = %v, want ErrPreconditionFailed", err)
	}

	if _, res, err := s.ReplaceDamagedToken("gone", nil, "ops", t0); err != nil || res != waiter.TokenDeleted {
		t.Fatalf("hard delete = %v, %v", res, err)
	}
	if _, err := s.GetToken("gone", true); !errors.Is(err, waiter.ErrTokenNotFound) {
		t.Fatalf("GetToken after hard delete = %v, want not found", err)
	}
	if _, err := s.TokenHistory("gone"); !errors.Is(err, waiter.ErrTokenNotFound) {
		t.Fatalf("history after hard delete = %v, want not found", err)
	}
	wantHealth(t, s)
	for owner, want := range map[string]int{"alice": 0, "bob": 1} {
		list, err := s.ListTokens(waiter.TokenFilter{Owners: []string{owner}})
		if err != nil || len(list) != want {
			t.Fatalf("ListTokens(%s) = %v, %v; want %d", owner, list, err, want)
		}
	}
}
