package zktest

import (
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"
)

// Cluster is one standalone server or an ensemble, with the temporary
// folder that holds their configuration, data and logs.
type Cluster struct {
	Servers []*Server
	dir     string
}

// Connect is the client connection string: every server's host:port.
func (c *Cluster) Connect() []string {
	out := make([]string, len(c.Servers))
	for i, s := range c.Servers {
		out[i] = s.Addr()
	}
	return out
}

// ConnectString is Connect joined with commas, as --zk-connect takes it.
func (c *Cluster) ConnectString() string { return strings.Join(c.Connect(), ",") }

// Close kills every server and removes the folder. It may be called more
// than once.
func (c *Cluster) Close() error {
	for _, s := range c.Servers {
		_ = s.Kill()
	}
	if c.dir == "" {
		return nil
	}
	err := os.RemoveAll(c.dir)
	c.dir = ""
	return err
}

// StartStandalone starts one server and waits until it serves.
func StartStandalone() (*Cluster, error) { return start(1) }

// StartEnsemble starts n servers (3 for a quorum that survives one loss)
// and waits until each serves.
func StartEnsemble(n int) (*Cluster, error) {
	if n < 3 {
		return nil, errors.New("zktest: an ensemble needs at least 3 servers")
	}
	return start(n)
}

func start(n int) (*Cluster, error) {
	if err := Available(); err != nil {
		return nil, err
	}
	dir, err := os.MkdirTemp("", "zktest-")
	if err != nil {
		return nil, err
	}
	c := &Cluster{dir: dir}
	// Each server: a client port, and in an ensemble a quorum and an
	// election port.
	per := 1
	if n > 1 {
		per = 3
	}
	ports, err := freePorts(n * per)
	if err != nil {
		_ = c.Close()
		return nil, err
	}
	var peers []string
	if n > 1 {
		for i := range n {
			peers = append(peers, fmt.Sprintf("server.%d=127.0.0.1:%d:%d", i+1, ports[i*per+1], ports[i*per+2]))
		}
	}
	for i := range n {
		s := &Server{ID: i + 1, Port: ports[i*per], dir: dir + "/server-" + strconv.Itoa(i+1)}
		if err := os.MkdirAll(s.dir, 0o755); err != nil {
			_ = c.Close()
			return nil, err
		}
		if err := s.writeConfig(peers); err != nil {
			_ = c.Close()
			return nil, err
		}
		c.Servers = append(c.Servers, s)
	}
	// Launch all before waiting: an ensemble member serves only once a
	// quorum is up.
	for _, s := range c.Servers {
		if err := s.launch(); err != nil {
			_ = c.Close()
			return nil, err
		}
	}
	deadline := time.Now().Add(StartTimeout)
	for _, s := range c.Servers {
		if err := s.waitReady(deadline); err != nil {
			_ = c.Close()
			return nil, err
		}
	}
	return c, nil
}

// Standalone starts a server for one test and stops it when the test
// ends. It fails the test when ZooKeeper is not installed: .ci/deps
// installs it, and a test that skips would prove nothing.
func Standalone(tb testing.TB) *Cluster {
	tb.Helper()
	c, err := StartStandalone()
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { c.closeFor(tb) })
	return c
}

// Ensemble starts a 3-server ensemble for one test and stops it when the
// test ends.
func Ensemble(tb testing.TB) *Cluster {
	tb.Helper()
	c, err := StartEnsemble(3)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { c.closeFor(tb) })
	return c
}

// closeFor stops the servers at the end of tb, printing the end of each
// server's log first if tb failed: what ZooKeeper saw of a flaky failure
// is gone with its folder otherwise.
func (c *Cluster) closeFor(tb testing.TB) {
	if tb.Failed() {
		for _, s := range c.Servers {
			tb.Logf("ZooKeeper server %d's log (its end):\n%s", s.ID, s.logTail(16000))
		}
	}
	_ = c.Close()
}
