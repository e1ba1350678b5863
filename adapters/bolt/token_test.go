package bolt_test

import (
	"crypto/md5"
	"encoding/hex"
	"errors"
	"fmt"
	"maps"
	"reflect"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/waiter-go/waiter"
	"github.com/waiter-go/waiter/adapters/bolt"
)

func TestPutToken_CreateThenGet(t *testing.T) {
	s := openStore(t)
	data := map[string]any{"cmd": "ls", "cpus": 1, "mem": 128}
	tok, res := mustPut(t, s, "app", data, "", "alice", t0)
	if res != waiter.TokenCreated {
		t.Fatalf("result = %s, want %s", res, waiter.TokenCreated)
	}
	want := map[string]any{
		"cmd": "ls", "cpus": 1.0, "mem": 128.0,
		"owner": "alice", "last-update-time": float64(t0.UnixMilli()), "last-update-user": "alice",
	}
	if !reflect.DeepEqual(tok.Data, want) {
		t.Fatalf("Data = %v, want %v", tok.Data, want)
	}
	if tok.Owner() != "alice" || tok.LastUpdateUser() != "alice" || !tok.LastUpdateTime().Equal(t0) || tok.Deleted {
		t.Fatalf("accessors: owner %q user %q time %v deleted %v", tok.Owner(), tok.LastUpdateUser(), tok.LastUpdateTime(), tok.Deleted)
	}
	if len(data) != 3 {
		t.Fatalf("PutToken modified the caller's map: %v", data)
	}
	got, err := s.GetToken("app", false)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, tok) {
		t.Fatalf("GetToken = %+v, PutToken returned %+v", got, tok)
	}
}

// TestETag_CanonicalJSON pins the ETag: "E-" + hex MD5 of the data's JSON
// with keys sorted, independent of the token's name.
func TestETag_CanonicalJSON(t *testing.T) {
	s := openStore(t)
	a, _ := mustPut(t, s, "a", map[string]any{"mem": 64, "cmd": "echo <hi>"}, "", "u", time.UnixMilli(1000))
	b, _ := mustPut(t, s, "b", map[string]any{"cmd": "echo <hi>", "mem": 64.0}, "", "u", time.UnixMilli(1000))
	canonical := `{"cmd":"echo <hi>","last-update-time":1000,"last-update-user":"u","mem":64,"owner":"u"}`
	sum := md5.Sum([]byte(canonical))
	want := "E-" + hex.EncodeToString(sum[:])
	if a.ETag != want || b.ETag != want {
		t.Fatalf("etags %s, %s; want %s (md5 of %s)", a.ETag, b.ETag, want, canonical)
	}
}

func TestPutToken_UpdateAndNoOp(t *testing.T) {
	s := openStore(t)
	v1, _ := mustPut(t, s, "app", map[string]any{"cmd": "ls", "cpus": 1}, "", "alice", t0)

	t.Run("SameDataIsNoOp", func(t *testing.T) {
		// 1.0 and 1 are the same JSON number, and a later time or
		// another user does not make a change.
		got, res := mustPut(t, s, "app", map[string]any{"cmd": "ls", "cpus": 1.0}, "", "bob", t0.Add(time.Hour))
		if res != waiter.TokenNoOp || got.ETag != v1.ETag || !got.LastUpdateTime().Equal(t0) {
			t.Fatalf("got %s etag %s time %v; want no-op keeping %s at %v", res, got.ETag, got.LastUpdateTime(), v1.ETag, t0)
		}
	})
	t.Run("SystemKeysDoNotCount", func(t *testing.T) {
		_, res := mustPut(t, s, "app", map[string]any{"cmd": "ls", "cpus": 1, "cluster": "c2", "root": "r2"}, v1.ETag, "alice", t0.Add(time.Hour))
		if res != waiter.TokenNoOp {
			t.Fatalf("result %s, want no-op", res)
		}
	})
	t.Run("ExplicitSameOwnerIsNoOp", func(t *testing.T) {
		_, res := mustPut(t, s, "app", map[string]any{"cmd": "ls", "cpus": 1, "owner": "alice"}, "", "alice", t0)
		if res != waiter.TokenNoOp {
			t.Fatalf("result %s, want no-op", res)
		}
	})
	t.Run("ChangeIsUpdate", func(t *testing.T) {
		got, res := mustPut(t, s, "app", map[string]any{"cmd": "ls", "cpus": 2}, v1.ETag, "bob", t0.Add(time.Hour))
		if res != waiter.TokenUpdated || got.ETag == v1.ETag {
			t.Fatalf("got %s etag %s; want update with a new etag", res, got.ETag)
		}
		// The owner stays alice although bob edited it.
		if got.Owner() != "alice" || got.LastUpdateUser() != "bob" || !got.LastUpdateTime().Equal(t0.Add(time.Hour)) {
			t.Fatalf("owner %q user %q time %v", got.Owner(), got.LastUpdateUser(), got.LastUpdateTime())
		}
		h, err := s.TokenHistory("app")
		if err != nil || len(h) != 1 || h[0].ETag != v1.ETag {
			t.Fatalf("history = %v, %v; want [v1]", h, err)
		}
	})
	t.Run("RemovingAKeyIsUpdate", func(t *testing.T) {
		_, res := mustPut(t, s, "app", map[string]any{"cmd": "ls"}, "", "alice", t0)
		if res != waiter.TokenUpdated {
			t.Fatalf("result %s, want update", res)
		}
	})
}

func TestPutToken_IfMatch(t *testing.T) {
	s := openStore(t)
	v1, _ := mustPut(t, s, "app", map[string]any{"cmd": "v1"}, "", "alice", t0)
	v2, _ := mustPut(t, s, "app", map[string]any{"cmd": "v2"}, v1.ETag, "alice", t0)

	cases := []struct {
		name    string
		token   string
		data    map[string]any
		ifMatch string
	}{
		{"StaleEtag", "app", map[string]any{"cmd": "v3"}, v1.ETag},
		{"StaleEtagOnNoOpData", "app", map[string]any{"cmd": "v2"}, v1.ETag},
		{"MadeUpEtag", "app", map[string]any{"cmd": "v3"}, "E-nope"},
		{"EtagForMissingToken", "other", map[string]any{"cmd": "v1"}, v1.ETag},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, _, err := s.PutToken(c.token, c.data, c.ifMatch, "alice", t0)
			if !errors.Is(err, waiter.ErrPreconditionFailed) {
				t.Fatalf("err = %v, want ErrPreconditionFailed", err)
			}
			t.Logf("got: %v", err)
		})
	}
	got, err := s.GetToken("app", false)
	if err != nil || got.ETag != v2.ETag || got.Data["cmd"] != "v2" {
		t.Fatalf("after refused writes: %+v, %v; want v2 untouched", got, err)
	}
	if _, err := s.GetToken("other", true); !errors.Is(err, waiter.ErrTokenNotFound) {
		t.Fatalf("refused create left a token: %v", err)
	}
}

func TestPutToken_HistoryCapped(t *testing.T) {
	for _, tc := range []struct {
		opts []bolt.Option
		keep int
	}{{nil, bolt.DefaultHistoryLength}, {[]bolt.Option{bolt.WithHistoryLength(2)}, 2}, {[]bolt.Option{bolt.WithHistoryLength(0)}, 0}} {
		t.Run(fmt.Sprint(tc.keep), func(t *testing.T) {
			s := openStore(t, tc.opts...)
			var etags []string
			for i := range 9 {
				tok, _ := mustPut(t, s, "app", map[string]any{"cmd": "x", "seq": i}, "", "alice", t0.Add(time.Duration(i)*time.Second))
				etags = append(etags, tok.ETag)
			}
			h, err := s.TokenHistory("app")
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, v := range h {
				got = append(got, v.ETag)
			}
			// Newest first: versions 7, 6, ... of 0..8 (8 is current).
			var want []string
			for i := 7; i >= 0 && len(want) < tc.keep; i-- {
				want = append(want, etags[i])
			}
			if !slices.Equal(got, want) {
				t.Fatalf("history etags = %v, want %v", got, want)
			}
			if tc.keep > 0 && h[0].Data["seq"] != 7.0 {
				t.Fatalf("newest history entry has seq %v, want 7", h[0].Data["seq"])
			}
		})
	}
}

func TestPutToken_RootKeptAcrossUpdates(t *testing.T) {
	s := openStore(t)
	mustPut(t, s, "app", map[string]any{"cmd": "v1", "root": "cluster-a"}, "", "alice", t0)
	tok, _ := mustPut(t, s, "app", map[string]any{"cmd": "v2"}, "", "alice", t0)
	if tok.Data["root"] != "cluster-a" {
		t.Fatalf("root = %v, want cluster-a kept", tok.Data["root"])
	}
}

func TestPutToken_RejectsBadInput(t *testing.T) {
	s := openStore(t)
	cases := []struct {
		name string
		tok  string
		data map[string]any
		user string
		want error
	}{
		{"EmptyName", "", map[string]any{"cmd": "ls"}, "alice", bolt.ErrEmptyKey},
		{"NoData", "app", map[string]any{}, "alice", waiter.ErrInvalidTokenData},
		{"Deleted", "app", map[string]any{"cmd": "ls", "deleted": true}, "alice", waiter.ErrInvalidTokenData},
		{"LastUpdateTime", "app", map[string]any{"cmd": "ls", "last-update-time": 1}, "alice", waiter.ErrInvalidTokenData},
		{"LastUpdateUser", "app", map[string]any{"cmd": "ls", "last-update-user": "x"}, "alice", waiter.ErrInvalidTokenData},
		{"Previous", "app", map[string]any{"cmd": "ls", "previous": map[string]any{}}, "alice", waiter.ErrInvalidTokenData},
		{"NoOwnerNoUser", "app", map[string]any{"cmd": "ls"}, "", waiter.ErrInvalidTokenData},
		{"OwnerNotString", "app", map[string]any{"cmd": "ls", "owner": 7}, "alice", waiter.ErrInvalidTokenData},
		{"NotJSON", "app", map[string]any{"cmd": func() {}}, "alice", waiter.ErrInvalidTokenData},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, _, err := s.PutToken(c.tok, c.data, "", c.user, t0)
			if !errors.Is(err, c.want) {
				t.Fatalf("err = %v, want %v", err, c.want)
			}
		})
	}
	if toks, _ := s.ListTokens(waiter.TokenFilter{IncludeDeleted: true}); len(toks) != 0 {
		t.Fatalf("rejected writes stored tokens: %v", toks)
	}
}

func TestDeleteToken_Soft(t *testing.T) {
	s := openStore(t)
	live, _ := mustPut(t, s, "app", map[string]any{"cmd": "ls"}, "", "alice", t0)

	if _, err := s.DeleteToken("app", false, "E-stale", "bob", t0); !errors.Is(err, waiter.ErrPreconditionFailed) {
		t.Fatalf("stale soft delete: %v", err)
	}
	del, err := s.DeleteToken("app", false, live.ETag, "bob", t0.Add(time.Minute))
	if err != nil {
		t.Fatal(err)
	}
	if !del.Deleted || del.Data["deleted"] != true || del.ETag == live.ETag || del.Data["cmd"] != "ls" ||
		del.LastUpdateUser() != "bob" || !del.LastUpdateTime().Equal(t0.Add(time.Minute)) {
		t.Fatalf("soft-deleted token = %+v", del)
	}

	_, err = s.GetToken("app", false)
	if !errors.Is(err, waiter.ErrTokenDeleted) || !errors.Is(err, waiter.ErrTokenNotFound) {
		t.Fatalf("GetToken of soft-deleted = %v, want ErrTokenDeleted wrapping ErrTokenNotFound", err)
	}
	got, err := s.GetToken("app", true)
	if err != nil || !reflect.DeepEqual(got, del) {
		t.Fatalf("GetToken(includeDeleted) = %+v, %v; want %+v", got, err, del)
	}
	if toks, _ := s.ListTokens(waiter.TokenFilter{}); len(toks) != 0 {
		t.Fatalf("ListTokens without deleted = %v", toks)
	}
	if toks, _ := s.ListTokens(waiter.TokenFilter{IncludeDeleted: true}); len(toks) != 1 || !toks[0].Deleted {
		t.Fatalf("ListTokens with deleted = %v", toks)
	}
	if h, _ := s.TokenHistory("app"); len(h) != 1 || h[0].ETag != live.ETag {
		t.Fatalf("history after soft delete = %v, want [live]", h)
	}
	if _, err := s.DeleteToken("app", false, "", "bob", t0); !errors.Is(err, waiter.ErrTokenDeleted) {
		t.Fatalf("second soft delete = %v, want ErrTokenDeleted", err)
	}

	// Writing over a soft-deleted token creates it afresh, as Waiter does:
	// new owner default, empty history.
	re, res := mustPut(t, s, "app", map[string]any{"cmd": "ls"}, "", "carol", t0.Add(time.Hour))
	if res != waiter.TokenCreated || re.Deleted || re.Owner() != "carol" {
		t.Fatalf("re-create: %s %+v", res, re)
	}
	if h, _ := s.TokenHistory("app"); len(h) != 0 {
		t.Fatalf("history after re-create = %v, want empty", h)
	}
	if got, _ := s.ListTokens(waiter.TokenFilter{Owners: []string{"alice"}, IncludeDeleted: true}); len(got) != 0 {
		t.Fatalf("alice still indexed as owner: %v", got)
	}
}

func TestDeleteToken_Hard(t *testing.T) {
	s := openStore(t)
	v1, _ := mustPut(t, s, "app", map[string]any{"cmd": "v1"}, "", "alice", t0)
	v2, _ := mustPut(t, s, "app", map[string]any{"cmd": "v2"}, "", "alice", t0)

	if _, err := s.DeleteToken("app", true, "", "admin", t0); !errors.Is(err, waiter.ErrIfMatchRequired) {
		t.Fatalf("hard delete without if-match = %v, want ErrIfMatchRequired", err)
	}
	if _, err := s.DeleteToken("app", true, v1.ETag, "admin", t0); !errors.Is(err, waiter.ErrPreconditionFailed) {
		t.Fatalf("hard delete with stale if-match = %v, want ErrPreconditionFailed", err)
	}
	gone, err := s.DeleteToken("app", true, v2.ETag, "admin", t0)
	if err != nil || gone.ETag != v2.ETag {
		t.Fatalf("hard delete = %+v, %v", gone, err)
	}
	if _, err := s.GetToken("app", true); !errors.Is(err, waiter.ErrTokenNotFound) || errors.Is(err, waiter.ErrTokenDeleted) {
		t.Fatalf("GetToken after hard delete = %v, want plain ErrTokenNotFound", err)
	}
	if _, err := s.TokenHistory("app"); !errors.Is(err, waiter.ErrTokenNotFound) {
		t.Fatalf("history after hard delete = %v", err)
	}
	if owners, _ := s.Owners(); len(owners) != 0 {
		t.Fatalf("owners after hard delete = %v", owners)
	}
	if _, err := s.DeleteToken("app", true, "", "admin", t0); !errors.Is(err, waiter.ErrTokenNotFound) {
		t.Fatalf("hard delete of missing token = %v", err)
	}
	// Re-creating starts with no history: the old versions went with it.
	mustPut(t, s, "app", map[string]any{"cmd": "v3"}, "", "alice", t0)
	if h, _ := s.TokenHistory("app"); len(h) != 0 {
		t.Fatalf("history of re-created token = %v", h)
	}
}

func TestDeleteToken_HardAfterSoftNeedsNoIfMatch(t *testing.T) {
	s := openStore(t)
	mustPut(t, s, "app", map[string]any{"cmd": "v1"}, "", "alice", t0)
	if _, err := s.DeleteToken("app", false, "", "alice", t0); err != nil {
		t.Fatal(err)
	}
	if _, err := s.DeleteToken("app", true, "", "admin", t0); err != nil {
		t.Fatalf("hard delete of soft-deleted token without if-match: %v", err)
	}
	if _, err := s.GetToken("app", true); !errors.Is(err, waiter.ErrTokenNotFound) {
		t.Fatalf("token still there: %v", err)
	}
}

func TestListTokens_OwnerFilter(t *testing.T) {
	s := openStore(t)
	for _, tc := range []struct{ name, owner string }{
		{"zeta", "alice"}, {"alpha", "alice"}, {"mid", "bob"}, {"beta", "carol"}, {"gone", "bob"},
	} {
		mustPut(t, s, tc.name, map[string]any{"cmd": "ls", "owner": tc.owner}, "", "admin", t0)
	}
	if _, err := s.DeleteToken("gone", false, "", "bob", t0); err != nil {
		t.Fatal(err)
	}
	// Moving a token to another owner moves it in the index.
	mustPut(t, s, "beta", map[string]any{"cmd": "ls", "owner": "alice"}, "", "carol", t0)

	names := func(f waiter.TokenFilter) []string {
		t.Helper()
		toks, err := s.ListTokens(f)
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, tok := range toks {
			out = append(out, tok.Name)
		}
		return out
	}
	cases := []struct {
		filter waiter.TokenFilter
		want   []string
	}{
		{waiter.TokenFilter{}, []string{"alpha", "beta", "mid", "zeta"}},
		{waiter.TokenFilter{IncludeDeleted: true}, []string{"alpha", "beta", "gone", "mid", "zeta"}},
		{waiter.TokenFilter{Owners: []string{"alice"}}, []string{"alpha", "beta", "zeta"}},
		{waiter.TokenFilter{Owners: []string{"bob"}}, []string{"mid"}},
		{waiter.TokenFilter{Owners: []string{"bob"}, IncludeDeleted: true}, []string{"gone", "mid"}},
		{waiter.TokenFilter{Owners: []string{"bob", "alice", "bob"}}, []string{"alpha", "beta", "mid", "zeta"}},
		{waiter.TokenFilter{Owners: []string{"carol"}}, nil},
		{waiter.TokenFilter{Owners: []string{"nobody"}}, nil},
	}
	for _, c := range cases {
		if got := names(c.filter); !slices.Equal(got, c.want) {
			t.Errorf("ListTokens(%+v) = %v, want %v", c.filter, got, c.want)
		}
	}
	owners, err := s.Owners()
	if err != nil || !slices.Equal(owners, []string{"alice", "bob"}) {
		t.Fatalf("Owners = %v, %v; want [alice bob] (carol owns nothing now)", owners, err)
	}
}

// TestPutToken_ConcurrentIfMatch races writers holding the same ETag:
// exactly one may win, as with Waiter's TOKEN_LOCK.
func TestPutToken_ConcurrentIfMatch(t *testing.T) {
	s := openStore(t)
	base, _ := mustPut(t, s, "app", map[string]any{"cmd": "base"}, "", "alice", t0)

	const writers = 16
	start := make(chan struct{})
	var wg sync.WaitGroup
	errs := make([]error, writers)
	toks := make([]waiter.Token, writers)
	for i := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			toks[i], _, errs[i] = s.PutToken("app", map[string]any{"cmd": fmt.Sprint("writer-", i)}, base.ETag, "alice", t0)
		}()
	}
	close(start)
	wg.Wait()

	winner := -1
	for i, err := range errs {
		switch {
		case err == nil && winner >= 0:
			t.Fatalf("writers %d and %d both won", winner, i)
		case err == nil:
			winner = i
		case !errors.Is(err, waiter.ErrPreconditionFailed):
			t.Fatalf("writer %d: %v", i, err)
		}
	}
	if winner < 0 {
		t.Fatal("no writer won")
	}
	got, err := s.GetToken("app", false)
	if err != nil || got.ETag != toks[winner].ETag || got.Data["cmd"] != fmt.Sprint("writer-", winner) {
		t.Fatalf("stored %+v, %v; want writer %d's version", got, err, winner)
	}
	if h, _ := s.TokenHistory("app"); len(h) != 1 || h[0].ETag != base.ETag {
		t.Fatalf("history = %v, want [base]", h)
	}
}

func TestTokens_SurviveReopen(t *testing.T) {
	s := openStore(t)
	v1, _ := mustPut(t, s, "app", map[string]any{"cmd": "v1"}, "", "alice", t0)
	v2, _ := mustPut(t, s, "app", map[string]any{"cmd": "v2"}, "", "alice", t0)
	mustPut(t, s, "old", map[string]any{"cmd": "x"}, "", "bob", t0)
	if _, err := s.DeleteToken("old", false, "", "bob", t0); err != nil {
		t.Fatal(err)
	}
	s = reopen(t, s, bolt.WithHistoryLength(5))

	got, err := s.GetToken("app", false)
	if err != nil || got.ETag != v2.ETag || !maps.Equal(got.Data, v2.Data) {
		t.Fatalf("after reopen: %+v, %v", got, err)
	}
	if h, _ := s.TokenHistory("app"); len(h) != 1 || h[0].ETag != v1.ETag {
		t.Fatalf("history after reopen = %v", h)
	}
	if old, err := s.GetToken("old", true); err != nil || !old.Deleted {
		t.Fatalf("soft-deleted token after reopen: %+v, %v", old, err)
	}
	if owners, _ := s.Owners(); !slices.Equal(owners, []string{"alice", "bob"}) {
		t.Fatalf("owners after reopen = %v", owners)
	}
}
