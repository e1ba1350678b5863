package serve

import (
	"errors"
	"fmt"
	"log/slog"
	"path/filepath"
	"testing"
	"time"

	"github.com/waiter-go/waiter"
	"github.com/waiter-go/waiter/adapters/bolt"
	"github.com/waiter-go/waiter/engine"
)

func retentionDesc(t *testing.T, user, version string) *engine.Description {
	t.Helper()
	d, err := engine.NewDescription(engine.Params{"cmd": "k", "cpus": 0.1, "mem": 64.0, "version": version,
		"run-as-user": user}, engine.DescriptionOptions{})
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// Descriptions are kept for running services and for each user's most
// recently deleted ones; past that the oldest is purged with its
// overrides, unless the router runs it.
func TestRetention(t *testing.T) {
	path := filepath.Join(t.TempDir(), "waiter.db")
	db, err := bolt.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	r := newRetention(db, 2, slog.New(slog.DiscardHandler))
	var purged []string
	r.purged = func(id string) { purged = append(purged, id) }
	running := map[string]bool{}
	r.running = func(id string) bool { return running[id] }

	// What the HTTP edge does for a service about to start.
	start := func(d *engine.Description) {
		t.Helper()
		if _, err := db.PutServiceDescription(d.ID, map[string]any(d.Core)); err != nil {
			t.Fatal(err)
		}
		r.started(d.ID, d.RunAsUser)
	}
	var alice []*engine.Description
	for i := range 4 {
		d := retentionDesc(t, "alice", fmt.Sprint("a", i))
		alice = append(alice, d)
		start(d)
	}
	bob := retentionDesc(t, "bob", "b")
	start(bob)
	if err := db.PutOverride(alice[0].ID, map[string]any{"min-instances": 2}, "alice", time.Unix(0, 0)); err != nil {
		t.Fatal(err)
	}
	for _, d := range alice[:3] {
		r.forget(d)
	}
	// alice keeps two inactive services; the oldest went with its overrides.
	if fmt.Sprint(purged) != fmt.Sprint([]string{alice[0].ID}) {
		t.Errorf("purged %v, want alice's oldest %s", purged, alice[0].ID)
	}
	if _, err := db.GetServiceDescription(alice[0].ID); !errors.Is(err, waiter.ErrServiceNotFound) {
		t.Errorf("purged description still stored: %v", err)
	}
	if ov, _ := db.GetOverride(alice[0].ID); len(ov.Overrides) != 0 {
		t.Errorf("purged service's overrides still stored: %v", ov)
	}
	for _, d := range append(alice[1:], bob) {
		if _, err := db.GetServiceDescription(d.ID); err != nil {
			t.Errorf("%s lost its description: %v", d.Version, err)
		}
	}
	// Starting an inactive service again takes it off the list; a service
	// whose description is not stored is ignored.
	start(alice[1])
	r.forget(retentionDesc(t, "alice", "never-stored"))
	if n := r.inactiveCount(); n != 1 {
		t.Errorf("%d inactive, want alice's a2 only", n)
	}

	// After a restart every stored description is on its user's list; a
	// service the router runs again (adopted) is never purged.
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	db, err = bolt.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	r = newRetention(db, 1, slog.New(slog.DiscardHandler))
	if err := r.load(); err != nil {
		t.Fatal(err)
	}
	if n := r.inactiveCount(); n != 4 {
		t.Fatalf("%d loaded, want the four stored", n)
	}
	running[alice[1].ID] = true
	r.running = func(id string) bool { return running[id] }
	r.forget(alice[3])
	list, err := db.ListServiceDescriptions()
	if err != nil {
		t.Fatal(err)
	}
	kept := map[string]bool{}
	for _, sd := range list {
		kept[sd.ID] = true
	}
	if !kept[alice[1].ID] || !kept[alice[3].ID] || !kept[bob.ID] || len(kept) != 3 {
		t.Errorf("kept %v: want the running a1, the newest inactive a3, and bob's", kept)
	}
}
