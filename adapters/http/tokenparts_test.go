package waiterhttp

import (
	"github.com/waiter-go/waiter/internal/boundedmap"
	"testing"

	"github.com/waiter-go/waiter"
)

// A token's split is reused while its ETag stays, and redone when an edit
// changes it; a full cache starts over instead of growing.
func TestTokenPartsCache(t *testing.T) {
	c := tokenPartsCache{boundedmap.Map[string, tokenPartsEntry]{Max: 2}}
	v1 := waiter.Token{Name: "kit", ETag: "E-1", Data: map[string]any{"cpus": 1.0, "owner": "alice"}}
	first := c.split(v1)
	if first.service["cpus"] != 1.0 || first.meta["owner"] != "alice" {
		t.Fatalf("split: %+v", first)
	}
	again := c.split(v1)
	first.service["marker"] = true // the same map is shared on a hit
	if again.service["marker"] != true {
		t.Fatal("the same token version was split again")
	}
	v2 := waiter.Token{Name: "kit", ETag: "E-2", Data: map[string]any{"cpus": 2.0, "owner": "alice"}}
	if got := c.split(v2); got.service["cpus"] != 2.0 || got.service["marker"] != nil {
		t.Fatalf("an edited token kept its old split: %+v", got)
	}
	for _, name := range []string{"a", "b", "c"} {
		c.split(waiter.Token{Name: name, ETag: "E-" + name, Data: map[string]any{"mem": 64.0}})
	}
	if c.Len() > c.Max {
		t.Fatalf("cache holds %d tokens, max %d", c.Len(), c.Max)
	}
	// No ETag: never cached.
	if got := c.split(waiter.Token{Name: "x", Data: map[string]any{"cpus": 3.0}}); got.service["cpus"] != 3.0 {
		t.Fatalf("split without an ETag: %+v", got)
	}
	if _, ok := c.Get("x"); ok {
		t.Fatal("a token without an ETag was cached")
	}
}
