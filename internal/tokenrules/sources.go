package tokenrules

import (
	"sort"

	"github.com/waiter-go/waiter"
)

// SourceRecord is one stored entry of a service's source tokens, with
// Waiter's field names; a store keeps a service's entries as a JSON list.
type SourceRecord struct {
	Token   string `json:"token"`
	Version string `json:"version"`
}

// MergeSources folds the token versions that reached a service into its
// stored entries: one entry per token name, the given version replacing
// the one stored. It returns the entries sorted by name and whether
// anything changed (a store writes nothing when it did not: the router
// adds once per new token version, but a second router or a retried call
// may repeat it).
func MergeSources(stored []SourceRecord, add []waiter.SourceToken) ([]SourceRecord, bool) {
	byName := make(map[string]string, len(stored)+len(add))
	for _, r := range stored {
		byName[r.Token] = r.Version
	}
	changed := false
	for _, t := range add {
		if v, ok := byName[t.Name]; !ok || v != t.ETag {
			byName[t.Name] = t.ETag
			changed = true
		}
	}
	out := make([]SourceRecord, 0, len(byName))
	for name, version := range byName {
		out = append(out, SourceRecord{Token: name, Version: version})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Token < out[j].Token })
	return out, changed
}

// SourceTokens turns stored entries into the port's type.
func SourceTokens(recs []SourceRecord) []waiter.SourceToken {
	var out []waiter.SourceToken
	for _, r := range recs {
		out = append(out, waiter.SourceToken{Name: r.Token, ETag: r.Version})
	}
	return out
}
