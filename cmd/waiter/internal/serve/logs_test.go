package serve

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"strings"
	"sync"
	"testing"

	"github.com/waiter-go/waiter/cmd/waiter/internal/fakesched"
	"github.com/waiter-go/waiter/engine"
)

// lockedBuffer is a log destination safe for the router's goroutines.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// refusingKills is the fake scheduler with every instance kill failing.
type refusingKills struct{ *fakesched.Scheduler }

func (refusingKills) KillInstance(context.Context, string, string, engine.KillOptions) error {
	return errors.New("the scheduler refuses kills today")
}

// The router's log drops repeats: twenty kills the scheduler refuses write
// one "scheduler call failed" line, and the count of the other nineteen
// comes out when the router stops.
func TestRouterLogDropsRepeats(t *testing.T) {
	var out lockedBuffer
	r := startRouterWith(t, nil, func(s *fakesched.Scheduler) engine.Scheduler { return refusingKills{s} },
		slog.New(slog.NewTextHandler(&out, nil)))
	h := service("log-repeats")
	status, body := read(t, r.call(t, "GET", "/", nil, h...))
	wantBody(t, status, body, 200)
	id := r.serviceID(t, h)
	victim := r.sched.Instances(id)[0].ID
	for range 20 {
		status, body := read(t, r.call(t, "POST", "/apps/"+id+"/instance/"+victim+"/kill", nil))
		wantBody(t, status, body, 500)
	}
	if err := r.stop(); err != nil {
		t.Fatal(err)
	}
	log := out.String()
	if n := strings.Count(log, `msg="scheduler call failed" component=driver op=kill`); n != 2 {
		t.Errorf("%d lines about the refused kills, want the first and the summary:\n%s", n, log)
	}
	if !strings.Contains(log, "dropped-repeats=19") {
		t.Errorf("the summary does not count the 19 dropped lines:\n%s", log)
	}
}
