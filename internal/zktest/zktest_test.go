package zktest

import (
	"strings"
	"testing"
	"time"
)

// TestStandaloneStartStopRestart starts a server, checks it answers,
// stops it, checks it no longer does, restarts it on the same port, and
// reports how long each start took.
func TestStandaloneStartStopRestart(t *testing.T) {
	began := time.Now()
	c := Standalone(t)
	t.Logf("standalone ZooKeeper started in %s", time.Since(began).Round(time.Millisecond))
	s := c.Servers[0]
	if out, err := FourLetter(s.Addr(), "ruok"); err != nil || out != "imok\n" {
		t.Fatalf("ruok = %q, %v; want imok", out, err)
	}
	if err := s.Stop(); err != nil {
		t.Fatal(err)
	}
	if s.Running() {
		t.Fatal("server still running after Stop")
	}
	if _, err := FourLetter(s.Addr(), "ruok"); err == nil {
		t.Fatal("a stopped server answered")
	}
	began = time.Now()
	if err := s.Restart(); err != nil {
		t.Fatal(err)
	}
	t.Logf("restart took %s", time.Since(began).Round(time.Millisecond))
	if out, err := FourLetter(s.Addr(), "srvr"); err != nil || !strings.Contains(out, "Mode: standalone") {
		t.Fatalf("srvr = %q, %v; want standalone mode", out, err)
	}
}

// TestEnsembleSurvivesOneKill starts three servers, kills one, and checks
// the other two still serve (a quorum of two).
func TestEnsembleSurvivesOneKill(t *testing.T) {
	began := time.Now()
	c := Ensemble(t)
	t.Logf("3-node ensemble started in %s", time.Since(began).Round(time.Millisecond))
	if err := c.Servers[0].Kill(); err != nil {
		t.Fatal(err)
	}
	for _, s := range c.Servers[1:] {
		deadline := time.Now().Add(30 * time.Second)
		for {
			out, err := FourLetter(s.Addr(), "srvr")
			if err == nil && (strings.Contains(out, "Mode: leader") || strings.Contains(out, "Mode: follower")) {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("server %d does not serve after server 1 was killed: %q %v", s.ID, out, err)
			}
			time.Sleep(100 * time.Millisecond)
		}
	}
}
