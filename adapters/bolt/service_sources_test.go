package bolt_test

import (
	"errors"
	"reflect"
	"testing"

	"github.com/waiter-go/waiter"
	"github.com/waiter-go/waiter/adapters/bolt"
	bbolt "go.etcd.io/bbolt"
)

// TestSourceTokens_MergedKeptAndPurged: token versions that reached a
// service are merged by name (a newer version replaces the older), survive
// a reopen, and go with the service's other records in PurgeService.
func TestSourceTokens_MergedKeptAndPurged(t *testing.T) {
	s := openStore(t)
	if got, err := s.SourceTokens("s1"); err != nil || len(got) != 0 {
		t.Fatalf("SourceTokens before any = %v, %v; want none", got, err)
	}
	if err := s.AddSourceTokens("s1", []waiter.SourceToken{{Name: "web", ETag: "E-1"}}); err != nil {
		t.Fatal(err)
	}
	if err := s.AddSourceTokens("s1", []waiter.SourceToken{{Name: "api", ETag: "E-7"}, {Name: "web", ETag: "E-2"}}); err != nil {
		t.Fatal(err)
	}
	if err := s.AddSourceTokens("s2", []waiter.SourceToken{{Name: "other", ETag: "E-9"}}); err != nil {
		t.Fatal(err)
	}
	want := []waiter.SourceToken{{Name: "api", ETag: "E-7"}, {Name: "web", ETag: "E-2"}}
	if got, err := s.SourceTokens("s1"); err != nil || !reflect.DeepEqual(got, want) {
		t.Fatalf("SourceTokens(s1) = %v, %v; want %v", got, err, want)
	}

	s = reopen(t, s)
	if got, err := s.SourceTokens("s1"); err != nil || !reflect.DeepEqual(got, want) {
		t.Fatalf("SourceTokens(s1) after reopen = %v, %v; want %v", got, err, want)
	}
	if err := s.PurgeService("s1"); err != nil {
		t.Fatal(err)
	}
	if got, err := s.SourceTokens("s1"); err != nil || len(got) != 0 {
		t.Fatalf("SourceTokens(s1) after purge = %v, %v; want none", got, err)
	}
	if got, err := s.SourceTokens("s2"); err != nil || len(got) != 1 || got[0].Name != "other" {
		t.Fatalf("SourceTokens(s2) after purging s1 = %v, %v; want s2's kept", got, err)
	}
	if err := s.AddSourceTokens("", []waiter.SourceToken{{Name: "web", ETag: "E-1"}}); !errors.Is(err, bolt.ErrEmptyKey) {
		t.Fatalf("empty service id = %v", err)
	}
	if err := s.AddSourceTokens("s1", []waiter.SourceToken{{Name: "", ETag: "E-1"}}); !errors.Is(err, bolt.ErrEmptyKey) {
		t.Fatalf("empty token name = %v", err)
	}
}

// TestSourceTokens_DamagedRecordReportedThenReplaced: a flipped byte in the
// record is found by Open's scan and on read, and the next add replaces it
// with what the router knows now, so the store is healthy again.
func TestSourceTokens_DamagedRecordReportedThenReplaced(t *testing.T) {
	s := openStore(t)
	if err := s.AddSourceTokens("s1", []waiter.SourceToken{{Name: "web", ETag: "E-1"}}); err != nil {
		t.Fatal(err)
	}
	path := closeStore(t, s)
	damageValue(t, path, "s1", flipLast, "service-source-tokens")

	s = reopenLogged(t, path, &logBuffer{})
	wantHealth(t, s, `source tokens of service "s1"`)
	_, err := s.SourceTokens("s1")
	wantCorrupt(t, err, `source tokens of service "s1"`)
	if err := s.AddSourceTokens("s1", []waiter.SourceToken{{Name: "web", ETag: "E-2"}}); err != nil {
		t.Fatalf("adding over a damaged record: %v", err)
	}
	wantHealth(t, s)
	if got, err := s.SourceTokens("s1"); err != nil || !reflect.DeepEqual(got, []waiter.SourceToken{{Name: "web", ETag: "E-2"}}) {
		t.Fatalf("SourceTokens after the repair = %v, %v", got, err)
	}
}

// TestSourceTokens_FileFromBeforeTheBucket: a schema version 2 file
// written before the source-tokens bucket existed opens, and Open creates
// the bucket (the read-only case is in service_sources_internal_test.go).
func TestSourceTokens_FileFromBeforeTheBucket(t *testing.T) {
	s := openStore(t)
	mustPut(t, s, "web", map[string]any{"cmd": "ls"}, "", "alice", t0)
	path := closeStore(t, s)
	withBbolt(t, path, func(tx *bbolt.Tx) error { return tx.DeleteBucket([]byte("service-source-tokens")) })

	s = reopenLogged(t, path, &logBuffer{})
	if err := s.AddSourceTokens("s1", []waiter.SourceToken{{Name: "web", ETag: "E-1"}}); err != nil {
		t.Fatalf("AddSourceTokens after the bucket was created on open: %v", err)
	}
	if tok, err := s.GetToken("web", false); err != nil || tok.Data["cmd"] != "ls" {
		t.Fatalf("the token of the older file: %+v, %v", tok, err)
	}
}
