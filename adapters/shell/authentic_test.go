package shell

import (
	"net"
	"net/http"
	"os"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/waiter-go/waiter/engine"
)

// A stray process that listens on an instance's port before the instance
// does must get neither health checks nor requests, and the instance is
// never called healthy. The instance here never listens; the test itself
// is the stray, in another process group, on each address that takes
// connections to 127.0.0.1.
func TestStrayListenerOnAnInstancePortGetsNothing(t *testing.T) {
	t.Parallel()
	for _, c := range []struct{ name, network, host string }{
		{"loopback", "tcp4", "127.0.0.1"},
		{"ipv4 wildcard", "tcp4", "0.0.0.0"},
		{"dual-stack wildcard", "tcp", "::"},
	} {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			s := newTestScheduler(t, nil)
			d := describe(t, engine.Params{"name": "stray" + strings.ReplaceAll(c.name, " ", ""),
				"env": map[string]string{envRole: "idle"}})
			create(t, s, d, 1)
			in := waitObs(t, s, d.ID, "the instance", func(o engine.Observation) bool { return len(o.Instances) == 1 }).Instances[0]

			var got atomic.Int32
			ln, err := net.Listen(c.network, net.JoinHostPort(c.host, strconv.Itoa(in.Port)))
			if err != nil {
				t.Fatalf("the stray cannot bind the instance's port %d: %v", in.Port, err)
			}
			srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { got.Add(1) })}
			go func() { _ = srv.Serve(ln) }()
			t.Cleanup(func() { _ = srv.Close() })

			obs := waitObs(t, s, d.ID, "the instance to fail", func(o engine.Observation) bool {
				if healthyCount(o) > 0 {
					t.Fatalf("the instance was called healthy: the stray answered its health check: %+v", o)
				}
				return len(o.Failed) >= 1
			})
			f := obs.Failed[0]
			if f.ID != in.ID || f.Healthy || f.Flags&engine.FlagHasConnected != 0 || f.Flags&engine.FlagNeverPassedHealthChecks == 0 {
				t.Errorf("failed instance %+v, want %s, never connected to, never passed health checks", f, in.ID)
			}
			want := "Port " + strconv.Itoa(in.Port) + " is held by pid " + strconv.Itoa(os.Getpid()) + ", outside the instance's process group"
			if !strings.HasPrefix(f.Message, want) {
				t.Errorf("message %q, want it to start %q", f.Message, want)
			}
			if n := got.Load(); n != 0 {
				t.Errorf("the stray received %d requests", n)
			}
		})
	}
}

// The listener may be any member of the instance's group: here the
// shell is the leader and the server its child.
func TestListenerOfAGroupMemberIsTheInstances(t *testing.T) {
	t.Parallel()
	s := newTestScheduler(t, nil)
	bin, err := serviceBinary()
	if err != nil {
		t.Fatal(err)
	}
	d := describe(t, engine.Params{"cmd": "'" + bin + "'; exit 3"}) // not exec: sh stays the leader
	create(t, s, d, 1)
	in := waitObs(t, s, d.ID, "a healthy instance", healthy(1)).Instances[0]
	pid, _ := strconv.Atoi(getEnv(t, in)["pid"])
	if pgid := pgidOf(t, s, d.ID, in.ID); pid == pgid {
		t.Fatalf("the server is the leader (%d): the test needs it to be a child", pid)
	}
}
