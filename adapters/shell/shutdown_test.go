package shell

import (
	"context"
	"errors"
	"github.com/waiter-go/waiter/internal/procgroup"
	"testing"
	"time"

	"github.com/waiter-go/waiter/engine"
)

func TestShutdownStopsEverything(t *testing.T) {
	t.Parallel()
	s := newTestScheduler(t, nil)
	sub := s.Subscribe()
	plain := describe(t, engine.Params{"name": "plain"})
	forks := describe(t, engine.Params{"name": "forks", "env": map[string]string{envChild: "1"}})
	stubborn := describe(t, engine.Params{"name": "stubborn", "env": map[string]string{envIgnoreTerm: "1", envChild: "1"}})
	stubborn.TerminationGracePeriod = 100 * time.Millisecond
	var pgids []int
	for _, d := range []*engine.Description{plain, forks, stubborn} {
		create(t, s, d, 2)
		for _, in := range waitObs(t, s, d.ID, "2 healthy", healthy(2)).Instances {
			pgids = append(pgids, pgidOf(t, s, d.ID, in.ID))
		}
	}

	if err := s.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	for _, pgid := range pgids {
		if procgroup.Alive(pgid) {
			t.Errorf("process group %d alive after Close", pgid)
		}
	}
	if left := processesUnder(s.cfg.WorkDir); len(left) > 0 {
		t.Errorf("processes alive after Close: %v", left)
	}
	if err := s.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
	if _, err := s.Observe(context.Background()); !errors.Is(err, ErrClosed) {
		t.Errorf("Observe after Close: %v, want ErrClosed", err)
	}
	for range sub {
		// drain: the channel must be closed, or this never ends
	}
	if _, ok := <-s.Subscribe(); ok {
		t.Errorf("Subscribe after Close returned an open channel")
	}
}

func TestShutdownDeadlineCutsGraceShort(t *testing.T) {
	t.Parallel()
	s := newTestScheduler(t, nil)
	d := describe(t, engine.Params{"env": map[string]string{envIgnoreTerm: "1"}})
	d.TerminationGracePeriod = time.Minute
	create(t, s, d, 1)
	in := waitObs(t, s, d.ID, "1 healthy", healthy(1)).Instances[0]
	pgid := pgidOf(t, s, d.ID, in.ID)

	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	start := time.Now()
	err := s.Shutdown(ctx)
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("Shutdown: %v, want the context's deadline error", err)
	}
	if el := time.Since(start); el > 10*time.Second {
		t.Errorf("Shutdown took %v despite its 50ms deadline", el)
	}
	if procgroup.Alive(pgid) {
		t.Errorf("group %d alive after Shutdown returned", pgid)
	}
}
