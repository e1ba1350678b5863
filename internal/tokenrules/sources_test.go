package tokenrules

import (
	"reflect"
	"testing"

	"github.com/waiter-go/waiter"
)

func TestMergeSources(t *testing.T) {
	stored := []SourceRecord{{Token: "b", Version: "E2"}, {Token: "a", Version: "E1"}}
	got, changed := MergeSources(stored, []waiter.SourceToken{{Name: "a", ETag: "E1"}})
	if changed {
		t.Errorf("adding what is stored changed the record: %v", got)
	}
	if want := []SourceRecord{{"a", "E1"}, {"b", "E2"}}; !reflect.DeepEqual(got, want) {
		t.Errorf("got %v, want %v (sorted by name)", got, want)
	}
	got, changed = MergeSources(stored, []waiter.SourceToken{{Name: "a", ETag: "E3"}, {Name: "c", ETag: "E4"}})
	if want := []SourceRecord{{"a", "E3"}, {"b", "E2"}, {"c", "E4"}}; !changed || !reflect.DeepEqual(got, want) {
		t.Errorf("got %v changed=%v, want %v and a change", got, changed, want)
	}
	if got, changed := MergeSources(nil, nil); changed || len(got) != 0 {
		t.Errorf("empty merge: %v %v", got, changed)
	}
	if toks := SourceTokens(got); !reflect.DeepEqual(toks, []waiter.SourceToken{{Name: "a", ETag: "E3"}, {Name: "b", ETag: "E2"}, {Name: "c", ETag: "E4"}}) {
		t.Errorf("SourceTokens: %v", toks)
	}
}
