package bolt_test

import (
	"errors"
	"reflect"
	"testing"
	"time"

	"github.com/waiter-go/waiter"
	"github.com/waiter-go/waiter/adapters/bolt"
)

func TestServiceDescriptions(t *testing.T) {
	s := openStore(t)
	desc := map[string]any{"cmd": "kitchen -p $PORT0", "cpus": 0.5, "mem": 256, "run-as-user": "alice"}

	wrote, err := s.PutServiceDescription("s-b", desc)
	if err != nil || !wrote {
		t.Fatalf("first put: wrote %v, %v", wrote, err)
	}
	if wrote, err := s.PutServiceDescription("s-b", desc); err != nil || wrote {
		t.Fatalf("identical put: wrote %v, %v; want no write", wrote, err)
	}
	if _, err := s.PutServiceDescription("s-a", map[string]any{"cmd": "a"}); err != nil {
		t.Fatal(err)
	}

	got, err := s.GetServiceDescription("s-b")
	want := map[string]any{"cmd": "kitchen -p $PORT0", "cpus": 0.5, "mem": 256.0, "run-as-user": "alice"}
	if err != nil || !reflect.DeepEqual(got, want) {
		t.Fatalf("Get = %v, %v; want %v", got, err, want)
	}
	if _, err := s.GetServiceDescription("nope"); !errors.Is(err, waiter.ErrServiceNotFound) {
		t.Fatalf("Get missing = %v", err)
	}

	// A different description under the same id replaces it.
	if wrote, err := s.PutServiceDescription("s-b", map[string]any{"cmd": "new"}); err != nil || !wrote {
		t.Fatalf("changed put: wrote %v, %v", wrote, err)
	}
	list, err := s.ListServiceDescriptions()
	if err != nil || len(list) != 2 || list[0].ID != "s-a" || list[1].ID != "s-b" || list[1].Description["cmd"] != "new" {
		t.Fatalf("List = %+v, %v", list, err)
	}

	if err := s.DeleteServiceDescription("s-a"); err != nil {
		t.Fatal(err)
	}
	if err := s.DeleteServiceDescription("s-a"); !errors.Is(err, waiter.ErrServiceNotFound) {
		t.Fatalf("second delete = %v", err)
	}
	s = reopen(t, s)
	list, err = s.ListServiceDescriptions()
	if err != nil || len(list) != 1 || list[0].ID != "s-b" {
		t.Fatalf("List after reopen = %+v, %v", list, err)
	}
	if _, err := s.PutServiceDescription("", desc); !errors.Is(err, bolt.ErrEmptyKey) {
		t.Fatalf("empty id = %v", err)
	}
}

func TestOverrides(t *testing.T) {
	s := openStore(t)
	if o, err := s.GetOverride("s1"); err != nil || o.Overrides != nil || !o.Time.IsZero() {
		t.Fatalf("no override yet: %+v, %v", o, err)
	}
	if err := s.PutOverride("s1", map[string]any{"scale-factor": 0.5, "max-instances": 3}, "ops", t0); err != nil {
		t.Fatal(err)
	}
	s = reopen(t, s)
	o, err := s.GetOverride("s1")
	want := waiter.Change{Overrides: map[string]any{"scale-factor": 0.5, "max-instances": 3.0}, User: "ops", Time: t0}
	if err != nil || !reflect.DeepEqual(o, want) {
		t.Fatalf("GetOverride = %+v, %v; want %+v", o, err, want)
	}
	// Clearing with an empty set is recorded, with who and when.
	if err := s.PutOverride("s1", nil, "ops2", t0.Add(time.Minute)); err != nil {
		t.Fatal(err)
	}
	if o, _ := s.GetOverride("s1"); len(o.Overrides) != 0 || o.Overrides == nil || o.User != "ops2" {
		t.Fatalf("cleared override = %+v", o)
	}
	if err := s.DeleteOverride("s1"); err != nil {
		t.Fatal(err)
	}
	if o, _ := s.GetOverride("s1"); o.Overrides != nil || o.User != "" {
		t.Fatalf("deleted override = %+v", o)
	}
	if err := s.DeleteOverride("s1"); err != nil {
		t.Fatalf("deleting no override: %v", err)
	}
}

func TestSuspension(t *testing.T) {
	s := openStore(t)
	if st, err := s.GetSuspended("s1"); err != nil || st.Suspended {
		t.Fatalf("never suspended: %+v, %v", st, err)
	}
	if err := s.SetSuspended("s1", true, "ops", t0); err != nil {
		t.Fatal(err)
	}
	s = reopen(t, s)
	if st, err := s.GetSuspended("s1"); err != nil || !reflect.DeepEqual(st, waiter.Change{Suspended: true, User: "ops", Time: t0}) {
		t.Fatalf("after suspend: %+v, %v", st, err)
	}
	if err := s.SetSuspended("s1", false, "ops2", t0.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	if st, _ := s.GetSuspended("s1"); !reflect.DeepEqual(st, waiter.Change{Suspended: false, User: "ops2", Time: t0.Add(time.Hour)}) {
		t.Fatalf("after resume: %+v", st)
	}
	if st, _ := s.GetSuspended("s2"); st.Suspended {
		t.Fatal("suspension leaked to another service")
	}
}

// PurgeService drops a service's description, overrides and suspension
// together, and leaves other services alone.
func TestPurgeService(t *testing.T) {
	s := openStore(t)
	now := time.Unix(1700000000, 0)
	for _, id := range []string{"gone", "kept"} {
		if _, err := s.PutServiceDescription(id, map[string]any{"cmd": id}); err != nil {
			t.Fatal(err)
		}
		if err := s.PutOverride(id, map[string]any{"min-instances": 2}, "alice", now); err != nil {
			t.Fatal(err)
		}
		if err := s.SetSuspended(id, true, "alice", now); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.PurgeService("gone"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.GetServiceDescription("gone"); !errors.Is(err, waiter.ErrServiceNotFound) {
		t.Errorf("description still there: %v", err)
	}
	if ov, err := s.GetOverride("gone"); err != nil || len(ov.Overrides) != 0 {
		t.Errorf("overrides still there: %+v %v", ov, err)
	}
	if sus, err := s.GetSuspended("gone"); err != nil || sus.Suspended {
		t.Errorf("suspension still there: %+v %v", sus, err)
	}
	if err := s.PurgeService("gone"); err != nil {
		t.Errorf("purging again: %v", err)
	}
	if _, err := s.GetServiceDescription("kept"); err != nil {
		t.Errorf("the other service lost its description: %v", err)
	}
	if sus, _ := s.GetSuspended("kept"); !sus.Suspended {
		t.Error("the other service lost its suspension")
	}
}
