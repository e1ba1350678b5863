package waiterhttp

import (
	"fmt"
	"testing"
)

func TestTokenIndexDiff(t *testing.T) {
	entry := func(name, owner string) map[string]any { return map[string]any{"token": name, "owner": owner} }
	old := tokenIndex{
		"kept":    {etag: "E-1", entry: entry("kept", "a")},
		"edited":  {etag: "E-1", entry: entry("edited", "a")},
		"removed": {etag: "E-1", entry: entry("removed", "b")},
		"deleted": {etag: "E-1", entry: entry("deleted", "a")},
	}
	next := tokenIndex{
		"kept":    {etag: "E-1", entry: entry("kept", "a")},
		"edited":  {etag: "E-2", entry: entry("edited", "a")},
		"deleted": {etag: "E-1", deleted: true, entry: entry("deleted", "a")},
		"new":     {etag: "E-1", entry: entry("new", "c")},
	}
	got := fmt.Sprint(old.diff(next))
	want := "[map[object:map[owner:b token:removed] type:DELETE] map[object:map[owner:a token:deleted] type:UPDATE] " +
		"map[object:map[owner:a token:edited] type:UPDATE] map[object:map[owner:c token:new] type:UPDATE]]"
	if got != want {
		t.Errorf("diff\n got %s\nwant %s", got, want)
	}
	if d := next.diff(next); len(d) != 0 {
		t.Errorf("no change gave %v", d)
	}
}
