package storetest

import (
	"slices"
	"testing"
	"time"

	"github.com/waiter-go/waiter"
)

// testKeyOrder: a store that keeps the posted order of env and metadata
// keys (waiter.OrderedTokenPutter) returns it with the token, in history
// and after a soft delete; the same data in another order is an update
// with a new ETag (Waiter's token hash and service id change with it),
// and the same order is a no-op.
func testKeyOrder(t *testing.T, f Factory) {
	s := f.New(t)
	o, ok := s.(waiter.OrderedTokenPutter)
	if !ok {
		t.Fatalf("%T does not keep key order (waiter.OrderedTokenPutter)", s)
	}
	data := func() map[string]any {
		d := params("v1")
		d["env"] = map[string]any{"ZETA": "1", "ALPHA": "2"}
		return d
	}
	zetaFirst := map[string][]string{"env": {"ZETA", "ALPHA"}}
	v1, res, err := o.PutTokenInOrder("app", data(), zetaFirst, "", "alice", t0)
	if err != nil || res != waiter.TokenCreated {
		t.Fatalf("put: %q %v", res, err)
	}
	got, err := s.GetToken("app", false)
	if err != nil || !slices.Equal(got.KeyOrder["env"], zetaFirst["env"]) || got.ETag != v1.ETag {
		t.Fatalf("get: order %v etag %q (put gave %q), %v", got.KeyOrder, got.ETag, v1.ETag, err)
	}
	same, res, err := o.PutTokenInOrder("app", data(), zetaFirst, "", "alice", t0.Add(time.Minute))
	if err != nil || res != waiter.TokenNoOp || same.ETag != v1.ETag {
		t.Errorf("same order: %q etag %q, %v; want no-op", res, same.ETag, err)
	}
	v2, res, err := o.PutTokenInOrder("app", data(), map[string][]string{"env": {"ALPHA", "ZETA"}}, "", "alice", t0.Add(time.Hour))
	if err != nil || res != waiter.TokenUpdated || v2.ETag == v1.ETag {
		t.Fatalf("other order: %q etag %q (v1 %q), %v; want an update", res, v2.ETag, v1.ETag, err)
	}
	hist, err := s.TokenHistory("app")
	if err != nil || len(hist) == 0 || !slices.Equal(hist[0].KeyOrder["env"], zetaFirst["env"]) {
		t.Errorf("history keeps the old order: %v, %v", hist, err)
	}
	del, err := s.DeleteToken("app", false, "", "alice", t0.Add(2*time.Hour))
	if err != nil || !slices.Equal(del.KeyOrder["env"], []string{"ALPHA", "ZETA"}) {
		t.Errorf("soft delete keeps the order: %v, %v", del.KeyOrder, err)
	}
}
