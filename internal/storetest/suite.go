package storetest

import (
	"errors"
	"fmt"
	"reflect"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/waiter-go/waiter"
)

// Factory makes stores for the suite.
type Factory struct {
	// New returns an empty store; the test's cleanup closes it.
	New func(t *testing.T) waiter.Store
	// Peer returns another handle on the same records as s, as a second
	// router sees them (for bolt, s itself: one process owns the file).
	Peer func(t *testing.T, s waiter.Store) waiter.Store
	// Settle waits until a write made through one handle is visible
	// through peer (ZooKeeper delivers watch events asynchronously); nil
	// when writes are visible at once.
	Settle func(t *testing.T, peer waiter.Store, check func() bool)
}

// t0 is the time the suite writes at; stores never read a clock.
var t0 = time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)

// Run runs the contract against the stores f makes.
func Run(t *testing.T, f Factory) {
	for _, c := range []struct {
		name string
		fn   func(*testing.T, Factory)
	}{
		{"CreateThenGet", testCreateThenGet},
		{"UpdateAndNoOp", testUpdateAndNoOp},
		{"IfMatch", testIfMatch},
		{"HistoryCappedNewestFirst", testHistory},
		{"RootKept", testRootKept},
		{"BadInput", testBadInput},
		{"SoftDelete", testSoftDelete},
		{"HardDelete", testHardDelete},
		{"ListTokens", testListTokens},
		{"OddNames", testOddNames},
		{"ReplaceDamagedRefusesHealthy", testReplaceHealthy},
		{"ServiceDescriptions", testServiceDescriptions},
		{"OverridesAndSuspension", testOverridesAndSuspension},
		{"SourceTokens", testSourceTokens},
		{"PurgeService", testPurgeService},
		{"ConcurrentIfMatchOneWins", testConcurrentIfMatch},
		{"PeerSeesWrites", testPeerSeesWrites},
		{"Health", testHealth},
		{"KeyOrder", testKeyOrder},
	} {
		t.Run(c.name, func(t *testing.T) { c.fn(t, f) })
	}
}

func put(t *testing.T, s waiter.Store, name string, data map[string]any, ifMatch, user string, now time.Time) (waiter.Token, waiter.TokenResult) {
	t.Helper()
	tok, res, err := s.PutToken(name, data, ifMatch, user, now)
	if err != nil {
		t.Fatalf("PutToken(%q): %v", name, err)
	}
	return tok, res
}

func params(version string) map[string]any {
	return map[string]any{"cmd": "kitchen", "cpus": 1.0, "mem": 64.0, "version": version}
}

func testCreateThenGet(t *testing.T, f Factory) {
	s := f.New(t)
	tok, res := put(t, s, "app", params("v1"), "", "alice", t0)
	if res != waiter.TokenCreated {
		t.Fatalf("result %q, want created", res)
	}
	if tok.Owner() != "alice" || tok.LastUpdateUser() != "alice" || !tok.LastUpdateTime().Equal(t0) {
		t.Errorf("metadata: owner %q user %q time %v", tok.Owner(), tok.LastUpdateUser(), tok.LastUpdateTime())
	}
	if !strings.HasPrefix(tok.ETag, "E-") || len(tok.ETag) != 34 {
		t.Errorf("etag %q is not E- and an MD5", tok.ETag)
	}
	got, err := s.GetToken("app", false)
	if err != nil {
		t.Fatal(err)
	}
	if got.ETag != tok.ETag || !reflect.DeepEqual(got.Data, tok.Data) || got.Name != "app" || got.Deleted {
		t.Errorf("GetToken = %+v, PutToken returned %+v", got, tok)
	}
	if _, err := s.GetToken("nope", false); !errors.Is(err, waiter.ErrTokenNotFound) {
		t.Errorf("missing token: %v, want ErrTokenNotFound", err)
	}
	// Equal data, equal ETag: the ETag is over the canonical form.
	other := f.New(t)
	tok2, _ := put(t, other, "app", map[string]any{"version": "v1", "mem": 64, "cpus": 1, "cmd": "kitchen"}, "", "alice", t0)
	if tok2.ETag != tok.ETag {
		t.Errorf("same data, different ETags: %q and %q", tok.ETag, tok2.ETag)
	}
}

func testUpdateAndNoOp(t *testing.T, f Factory) {
	s := f.New(t)
	v1, _ := put(t, s, "app", params("v1"), "", "alice", t0)
	same, res := put(t, s, "app", params("v1"), "", "bob", t0.Add(time.Minute))
	if res != waiter.TokenNoOp || same.ETag != v1.ETag || same.LastUpdateUser() != "alice" {
		t.Errorf("identical put: %q etag %q user %q; want no-op keeping v1", res, same.ETag, same.LastUpdateUser())
	}
	v2, res := put(t, s, "app", params("v2"), "", "bob", t0.Add(time.Hour))
	if res != waiter.TokenUpdated || v2.ETag == v1.ETag {
		t.Fatalf("update: %q etag %q", res, v2.ETag)
	}
	if v2.Owner() != "alice" {
		t.Errorf("owner after bob's update %q, want alice kept", v2.Owner())
	}
	if v2.LastUpdateUser() != "bob" || !v2.LastUpdateTime().Equal(t0.Add(time.Hour)) {
		t.Errorf("last update %q %v", v2.LastUpdateUser(), v2.LastUpdateTime())
	}
}

func testIfMatch(t *testing.T, f Factory) {
	s := f.New(t)
	v1, _ := put(t, s, "app", params("v1"), "", "alice", t0)
	if _, _, err := s.PutToken("app", params("v2"), "E-stale", "alice", t0); !errors.Is(err, waiter.ErrPreconditionFailed) {
		t.Errorf("stale If-Match: %v, want ErrPreconditionFailed", err)
	}
	// A stale If-Match is reported even when the write would be a no-op.
	if _, _, err := s.PutToken("app", params("v1"), "E-stale", "alice", t0); !errors.Is(err, waiter.ErrPreconditionFailed) {
		t.Errorf("stale If-Match on a no-op: %v", err)
	}
	if _, _, err := s.PutToken("new", params("v1"), v1.ETag, "alice", t0); !errors.Is(err, waiter.ErrPreconditionFailed) {
		t.Errorf("If-Match on a missing token: %v", err)
	}
	if _, res := put(t, s, "app", params("v2"), v1.ETag, "alice", t0); res != waiter.TokenUpdated {
		t.Errorf("matching If-Match: %q", res)
	}
}

func testHistory(t *testing.T, f Factory) {
	s := f.New(t)
	var etags []string
	for i := range 8 {
		tok, _ := put(t, s, "app", params(fmt.Sprint("v", i)), "", "alice", t0.Add(time.Duration(i)*time.Minute))
		etags = append(etags, tok.ETag)
	}
	h, err := s.TokenHistory("app")
	if err != nil {
		t.Fatal(err)
	}
	if len(h) != 5 {
		t.Fatalf("history has %d versions, want the default 5", len(h))
	}
	for i, v := range h {
		if want := etags[len(etags)-2-i]; v.ETag != want {
			t.Errorf("history[%d] = %q, want %q (newest first)", i, v.ETag, want)
		}
	}
	if _, err := s.TokenHistory("nope"); !errors.Is(err, waiter.ErrTokenNotFound) {
		t.Errorf("history of a missing token: %v", err)
	}
}

func testRootKept(t *testing.T, f Factory) {
	s := f.New(t)
	d := params("v1")
	d["root"] = "cluster-a"
	put(t, s, "app", d, "", "alice", t0)
	v2, _ := put(t, s, "app", params("v2"), "", "alice", t0)
	if v2.Data["root"] != "cluster-a" {
		t.Errorf("root after an update without one: %v", v2.Data["root"])
	}
}

func testBadInput(t *testing.T, f Factory) {
	s := f.New(t)
	for name, c := range map[string]struct {
		name string
		data map[string]any
	}{
		"empty name":      {"", params("v1")},
		"no data":         {"app", map[string]any{}},
		"deleted given":   {"app", map[string]any{"cmd": "x", "deleted": true}},
		"time given":      {"app", map[string]any{"cmd": "x", "last-update-time": 5}},
		"user given":      {"app", map[string]any{"cmd": "x", "last-update-user": "eve"}},
		"previous given":  {"app", map[string]any{"cmd": "x", "previous": map[string]any{}}},
		"owner not text":  {"app", map[string]any{"cmd": "x", "owner": 5}},
		"not encodable":   {"app", map[string]any{"cmd": func() {}}},
		"owner empty str": {"app", map[string]any{"cmd": "x", "owner": ""}},
	} {
		if _, _, err := s.PutToken(c.name, c.data, "", "alice", t0); !errors.Is(err, waiter.ErrInvalidTokenData) {
			t.Errorf("%s: %v, want ErrInvalidTokenData", name, err)
		}
	}
	if _, err := s.GetToken("app", true); !errors.Is(err, waiter.ErrTokenNotFound) {
		t.Errorf("a refused write left a token: %v", err)
	}
}

func testSoftDelete(t *testing.T, f Factory) {
	s := f.New(t)
	v1, _ := put(t, s, "app", params("v1"), "", "alice", t0)
	del, err := s.DeleteToken("app", false, "", "bob", t0.Add(time.Minute))
	if err != nil {
		t.Fatal(err)
	}
	if !del.Deleted || del.ETag == v1.ETag || del.LastUpdateUser() != "bob" {
		t.Errorf("soft delete returned %+v", del)
	}
	if _, err := s.GetToken("app", false); !errors.Is(err, waiter.ErrTokenDeleted) || !errors.Is(err, waiter.ErrTokenNotFound) {
		t.Errorf("get soft-deleted: %v", err)
	}
	got, err := s.GetToken("app", true)
	if err != nil || !got.Deleted || got.ETag != del.ETag {
		t.Errorf("get soft-deleted with includeDeleted: %+v %v", got, err)
	}
	if _, err := s.DeleteToken("app", false, "", "bob", t0); !errors.Is(err, waiter.ErrTokenDeleted) {
		t.Errorf("soft delete twice: %v", err)
	}
	if h, _ := s.TokenHistory("app"); len(h) != 1 || h[0].ETag != v1.ETag {
		t.Errorf("history after soft delete: %v", h)
	}
	// Writing over a soft-deleted token creates it anew, history gone,
	// owner the writer.
	tok, res := put(t, s, "app", params("v3"), "", "carol", t0.Add(time.Hour))
	if res != waiter.TokenCreated || tok.Owner() != "carol" {
		t.Errorf("put over soft-deleted: %q owner %q", res, tok.Owner())
	}
	if h, _ := s.TokenHistory("app"); len(h) != 0 {
		t.Errorf("history after re-creation: %d versions, want none", len(h))
	}
}

func testHardDelete(t *testing.T, f Factory) {
	s := f.New(t)
	v1, _ := put(t, s, "app", params("v1"), "", "alice", t0)
	if _, err := s.DeleteToken("app", true, "", "alice", t0); !errors.Is(err, waiter.ErrIfMatchRequired) {
		t.Errorf("hard delete without If-Match: %v", err)
	}
	if _, err := s.DeleteToken("app", true, "E-stale", "alice", t0); !errors.Is(err, waiter.ErrPreconditionFailed) {
		t.Errorf("hard delete with a stale If-Match: %v", err)
	}
	got, err := s.DeleteToken("app", true, v1.ETag, "alice", t0)
	if err != nil || got.ETag != v1.ETag {
		t.Fatalf("hard delete: %+v %v", got, err)
	}
	if _, err := s.GetToken("app", true); !errors.Is(err, waiter.ErrTokenNotFound) {
		t.Errorf("hard-deleted token still read: %v", err)
	}
	if _, err := s.TokenHistory("app"); !errors.Is(err, waiter.ErrTokenNotFound) {
		t.Errorf("hard-deleted token's history: %v", err)
	}
	if _, err := s.DeleteToken("app", true, "", "alice", t0); !errors.Is(err, waiter.ErrTokenNotFound) {
		t.Errorf("hard delete of a missing token: %v", err)
	}
	// A soft-deleted token needs no If-Match to go for good.
	put(t, s, "b", params("v1"), "", "alice", t0)
	if _, err := s.DeleteToken("b", false, "", "alice", t0); err != nil {
		t.Fatal(err)
	}
	if _, err := s.DeleteToken("b", true, "", "alice", t0); err != nil {
		t.Errorf("hard delete of a soft-deleted token: %v", err)
	}
}

func names(ts []waiter.Token) []string {
	out := []string{}
	for _, t := range ts {
		out = append(out, t.Name)
	}
	return out
}

func testListTokens(t *testing.T, f Factory) {
	s := f.New(t)
	for _, c := range []struct{ name, owner string }{{"c", "alice"}, {"a", "bob"}, {"b", "alice"}, {"d", "carol"}} {
		d := params("v1")
		d["owner"] = c.owner
		put(t, s, c.name, d, "", "admin", t0)
	}
	if _, err := s.DeleteToken("d", false, "", "carol", t0); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		f    waiter.TokenFilter
		want []string
	}{
		{waiter.TokenFilter{}, []string{"a", "b", "c"}},
		{waiter.TokenFilter{IncludeDeleted: true}, []string{"a", "b", "c", "d"}},
		{waiter.TokenFilter{Owners: []string{"alice"}}, []string{"b", "c"}},
		{waiter.TokenFilter{Owners: []string{"alice", "bob", "alice"}}, []string{"a", "b", "c"}},
		{waiter.TokenFilter{Owners: []string{"carol"}}, []string{}},
		{waiter.TokenFilter{Owners: []string{"carol"}, IncludeDeleted: true}, []string{"d"}},
	} {
		list, err := s.ListTokens(c.f)
		if err != nil {
			t.Fatal(err)
		}
		if got := names(list); !reflect.DeepEqual(got, c.want) {
			t.Errorf("ListTokens(%+v) = %v, want %v", c.f, got, c.want)
		}
	}
	// An owner change moves the token between owners.
	d := params("v2")
	d["owner"] = "bob"
	put(t, s, "c", d, "", "admin", t0)
	list, _ := s.ListTokens(waiter.TokenFilter{Owners: []string{"bob"}})
	if got := names(list); !reflect.DeepEqual(got, []string{"a", "c"}) {
		t.Errorf("bob's tokens after a transfer: %v", got)
	}
}

// Names are kept as given, whatever their characters.
func testOddNames(t *testing.T, f Factory) {
	s := f.New(t)
	odd := []string{".", "..", "a/b", "%41", "x y", "ünï", "a.b-c_d", "-"}
	for _, n := range odd {
		put(t, s, n, params("v1"), "", "alice", t0)
		if got, err := s.GetToken(n, false); err != nil || got.Name != n {
			t.Errorf("GetToken(%q) = %q, %v", n, got.Name, err)
		}
	}
	list, err := s.ListTokens(waiter.TokenFilter{})
	if err != nil {
		t.Fatal(err)
	}
	want := append([]string(nil), odd...)
	sort.Strings(want)
	if got := names(list); !reflect.DeepEqual(got, want) {
		t.Errorf("ListTokens = %q, want %q", got, want)
	}
}

func testReplaceHealthy(t *testing.T, f Factory) {
	s := f.New(t)
	put(t, s, "app", params("v1"), "", "alice", t0)
	if _, _, err := s.ReplaceDamagedToken("app", params("v2"), "alice", t0); !errors.Is(err, waiter.ErrPreconditionFailed) {
		t.Errorf("replacing a healthy token: %v, want ErrPreconditionFailed", err)
	}
	if _, _, err := s.ReplaceDamagedToken("nope", nil, "alice", t0); !errors.Is(err, waiter.ErrTokenNotFound) {
		t.Errorf("replacing a missing token: %v, want ErrTokenNotFound", err)
	}
}

func testServiceDescriptions(t *testing.T, f Factory) {
	s := f.New(t)
	desc := map[string]any{"cmd": "kitchen", "cpus": 1.0, "run-as-user": "alice"}
	if wrote, err := s.PutServiceDescription("s-1", desc); err != nil || !wrote {
		t.Fatalf("first put: %v %v", wrote, err)
	}
	if wrote, err := s.PutServiceDescription("s-1", desc); err != nil || wrote {
		t.Errorf("identical put: wrote=%v %v, want nothing written", wrote, err)
	}
	got, err := s.GetServiceDescription("s-1")
	if err != nil || !reflect.DeepEqual(got, desc) {
		t.Errorf("GetServiceDescription = %v, %v", got, err)
	}
	desc2 := map[string]any{"cmd": "other"}
	if wrote, err := s.PutServiceDescription("s-1", desc2); err != nil || !wrote {
		t.Errorf("different put: %v %v", wrote, err)
	}
	if got, _ := s.GetServiceDescription("s-1"); !reflect.DeepEqual(got, desc2) {
		t.Errorf("after replace: %v", got)
	}
	if _, err := s.GetServiceDescription("s-2"); !errors.Is(err, waiter.ErrServiceNotFound) {
		t.Errorf("missing description: %v", err)
	}
	if _, err := s.PutServiceDescription("", desc); !errors.Is(err, waiter.ErrInvalidTokenData) {
		t.Errorf("empty id: %v", err)
	}
}

func testOverridesAndSuspension(t *testing.T, f Factory) {
	s := f.New(t)
	if c, err := s.GetOverride("s-1"); err != nil || c.Overrides != nil || c.User != "" {
		t.Errorf("no override: %+v %v", c, err)
	}
	if err := s.PutOverride("s-1", map[string]any{"min-instances": 2.0}, "alice", t0); err != nil {
		t.Fatal(err)
	}
	c, err := s.GetOverride("s-1")
	if err != nil || c.Overrides["min-instances"] != 2.0 || c.User != "alice" || !c.Time.Equal(t0) {
		t.Errorf("override: %+v %v", c, err)
	}
	if err := s.PutOverride("s-1", nil, "bob", t0); err != nil {
		t.Fatal(err)
	}
	if c, _ := s.GetOverride("s-1"); c.Overrides == nil || len(c.Overrides) != 0 || c.User != "bob" {
		t.Errorf("cleared override: %+v, want an explicit empty one", c)
	}
	if err := s.DeleteOverride("s-1"); err != nil {
		t.Fatal(err)
	}
	if err := s.DeleteOverride("s-1"); err != nil {
		t.Errorf("deleting no override: %v", err)
	}
	if c, _ := s.GetOverride("s-1"); c.User != "" {
		t.Errorf("deleted override still read: %+v", c)
	}
	if c, err := s.GetSuspended("s-1"); err != nil || c.Suspended || c.User != "" {
		t.Errorf("never suspended: %+v %v", c, err)
	}
	if err := s.SetSuspended("s-1", true, "alice", t0); err != nil {
		t.Fatal(err)
	}
	if c, _ := s.GetSuspended("s-1"); !c.Suspended || c.User != "alice" || !c.Time.Equal(t0) {
		t.Errorf("suspended: %+v", c)
	}
	if err := s.SetSuspended("s-1", false, "bob", t0.Add(time.Minute)); err != nil {
		t.Fatal(err)
	}
	if c, _ := s.GetSuspended("s-1"); c.Suspended || c.User != "bob" {
		t.Errorf("resumed: %+v, want a record saying bob resumed it", c)
	}
}

func testSourceTokens(t *testing.T, f Factory) {
	s := f.New(t)
	if got, err := s.SourceTokens("s-1"); err != nil || len(got) != 0 {
		t.Errorf("none recorded: %v %v", got, err)
	}
	must := func(ts ...waiter.SourceToken) {
		t.Helper()
		if err := s.AddSourceTokens("s-1", ts); err != nil {
			t.Fatal(err)
		}
	}
	must(waiter.SourceToken{Name: "b", ETag: "E-1"}, waiter.SourceToken{Name: "a", ETag: "E-1"})
	must(waiter.SourceToken{Name: "b", ETag: "E-2"})
	must(waiter.SourceToken{Name: "b", ETag: "E-2"})
	got, err := s.SourceTokens("s-1")
	want := []waiter.SourceToken{{Name: "a", ETag: "E-1"}, {Name: "b", ETag: "E-2"}}
	if err != nil || !reflect.DeepEqual(got, want) {
		t.Errorf("SourceTokens = %v %v, want %v", got, err, want)
	}
	if err := s.AddSourceTokens("s-1", []waiter.SourceToken{{Name: ""}}); !errors.Is(err, waiter.ErrInvalidTokenData) {
		t.Errorf("empty source token name: %v", err)
	}
}

func testPurgeService(t *testing.T, f Factory) {
	s := f.New(t)
	if _, err := s.PutServiceDescription("s-1", map[string]any{"cmd": "x"}); err != nil {
		t.Fatal(err)
	}
	if err := s.PutOverride("s-1", map[string]any{"min-instances": 1.0}, "a", t0); err != nil {
		t.Fatal(err)
	}
	if err := s.SetSuspended("s-1", true, "a", t0); err != nil {
		t.Fatal(err)
	}
	if err := s.AddSourceTokens("s-1", []waiter.SourceToken{{Name: "t", ETag: "E-1"}}); err != nil {
		t.Fatal(err)
	}
	if err := s.PurgeService("s-1"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.GetServiceDescription("s-1"); !errors.Is(err, waiter.ErrServiceNotFound) {
		t.Errorf("description after purge: %v", err)
	}
	ov, _ := s.GetOverride("s-1")
	su, _ := s.GetSuspended("s-1")
	src, _ := s.SourceTokens("s-1")
	if ov.User != "" || su.User != "" || len(src) != 0 {
		t.Errorf("after purge: override %+v suspension %+v sources %v", ov, su, src)
	}
	if err := s.PurgeService("s-1"); err != nil {
		t.Errorf("purging nothing: %v", err)
	}
}

// Two routers update the same token from the same version at once:
// exactly one wins, the other is told its If-Match is stale.
func testConcurrentIfMatch(t *testing.T, f Factory) {
	s := f.New(t)
	peer := f.Peer(t, s)
	v1, _ := put(t, s, "app", params("v1"), "", "alice", t0)
	for round := range 5 {
		cur, err := s.GetToken("app", false)
		if err != nil {
			t.Fatal(err)
		}
		if round == 0 && cur.ETag != v1.ETag {
			t.Fatalf("etag %q, want %q", cur.ETag, v1.ETag)
		}
		var wg sync.WaitGroup
		errs := make([]error, 2)
		for i, st := range []waiter.Store{s, peer} {
			wg.Add(1)
			go func() {
				defer wg.Done()
				_, _, errs[i] = st.PutToken("app", params(fmt.Sprintf("r%d-w%d", round, i)), cur.ETag, "alice", t0)
			}()
		}
		wg.Wait()
		wins, stale := 0, 0
		for _, err := range errs {
			switch {
			case err == nil:
				wins++
			case errors.Is(err, waiter.ErrPreconditionFailed):
				stale++
			default:
				t.Fatalf("round %d: unexpected error %v", round, err)
			}
		}
		if wins != 1 || stale != 1 {
			t.Fatalf("round %d: %d writes won and %d were stale, want exactly one each: %v", round, wins, stale, errs)
		}
		if f.Settle != nil {
			f.Settle(t, s, func() bool {
				a, e1 := s.GetToken("app", false)
				b, e2 := peer.GetToken("app", false)
				return e1 == nil && e2 == nil && a.ETag == b.ETag && a.ETag != cur.ETag
			})
		}
	}
}

// A write through one handle is read through the other.
func testPeerSeesWrites(t *testing.T, f Factory) {
	s := f.New(t)
	peer := f.Peer(t, s)
	settle := f.Settle
	if settle == nil {
		settle = func(t *testing.T, _ waiter.Store, check func() bool) {
			t.Helper()
			if !check() {
				t.Error("a write is not visible at once")
			}
		}
	}
	// The peer reads (and caches) the missing token, then sees it appear,
	// change and go.
	if _, err := peer.GetToken("app", false); !errors.Is(err, waiter.ErrTokenNotFound) {
		t.Fatalf("before: %v", err)
	}
	v1, _ := put(t, s, "app", params("v1"), "", "alice", t0)
	settle(t, peer, func() bool { got, err := peer.GetToken("app", false); return err == nil && got.ETag == v1.ETag })
	v2, _ := put(t, s, "app", params("v2"), "", "alice", t0)
	settle(t, peer, func() bool { got, err := peer.GetToken("app", false); return err == nil && got.ETag == v2.ETag })
	settle(t, peer, func() bool { l, err := peer.ListTokens(waiter.TokenFilter{}); return err == nil && len(l) == 1 })
	if _, err := s.DeleteToken("app", true, v2.ETag, "alice", t0); err != nil {
		t.Fatal(err)
	}
	settle(t, peer, func() bool { _, err := peer.GetToken("app", true); return errors.Is(err, waiter.ErrTokenNotFound) })
	settle(t, peer, func() bool { l, err := peer.ListTokens(waiter.TokenFilter{}); return err == nil && len(l) == 0 })
	// Service records too.
	if err := s.SetSuspended("s-1", true, "alice", t0); err != nil {
		t.Fatal(err)
	}
	settle(t, peer, func() bool { c, err := peer.GetSuspended("s-1"); return err == nil && c.Suspended })
}

func testHealth(t *testing.T, f Factory) {
	s := f.New(t)
	hr, ok := s.(waiter.HealthReporter)
	if !ok {
		t.Fatalf("%T does not report its health", s)
	}
	if h := hr.StoreHealth(); h.Status != waiter.HealthOK || h.WriteFailure != "" || len(h.CorruptRecords) != 0 {
		t.Errorf("fresh store health %+v", h)
	}
}
