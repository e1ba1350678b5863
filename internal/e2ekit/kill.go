package e2ekit

import (
	"fmt"
	"net/http"
	"testing"
	"time"
)

// Phases of a kill test's traffic (KillServing).
const (
	BeforeKill int32 = iota
	AfterKill        // sent once POST .../kill had answered
)

// AwaitHealthy waits until service id has n healthy instances and
// returns the ids of its active ones.
func (c *Router) AwaitHealthy(id string, n int, within time.Duration) []string {
	c.T.Helper()
	var active []string
	Eventually(c.T, within, fmt.Sprintf("%d healthy instances", n), func() (bool, string) {
		a := c.App(id)
		active = active[:0]
		for _, in := range a.Instances.Active {
			active = append(active, in.ID)
		}
		return a.InstanceCounts.Healthy == n && len(active) == n, a.String()
	})
	return active
}

// KillServing kills the instance the traffic goes to (the router picks
// the oldest, so all of tr's requests went to one instance) while tr is
// paused, checks that the very next requests already avoid it, and tags
// tr's later replies AfterKill. It returns the victim's id.
func (c *Router) KillServing(tr *Traffic, id string) string {
	t := c.T
	t.Helper()
	tr.Pause()
	defer tr.Resume() // also when t.Fatalf ends the test here
	last, _ := tr.Last()
	victim := last.BackendID
	if victim == "" {
		t.Fatalf("the traffic's last reply named no instance: %v", last)
	}
	code, res := c.KillInstance(id, victim)
	if code != http.StatusOK || !res.Success {
		t.Fatalf("POST /apps/%s/instance/%s/kill: status %d, %+v; want 200 success", id, victim, code, res)
	}
	// The very next requests, before the router has observed the
	// scheduler again, must already avoid the victim: the router was
	// routing to it until now.
	for range 5 {
		if r := c.Send(tr.Service(), nil); r.Status != http.StatusOK || r.BackendID == victim {
			t.Errorf("a request right after the kill answered: %v; want 200 from another instance than %s", r, victim)
		}
	}
	tr.SetPhase(AfterKill)
	return victim
}

// AwaitReplies waits until n replies of phase p have come back.
func (tr *Traffic) AwaitReplies(p int32, n int, within time.Duration) {
	tr.t.Helper()
	Eventually(tr.t, within, fmt.Sprintf("%d replies in phase %d", n, p), func() (bool, string) {
		return tr.Count(p) >= n, fmt.Sprintf("%d replies", tr.Count(p))
	})
}

// StopAfterKill stops tr and fails the test for any reply but a 200, and
// for a request sent after the kill that reached victim.
func (tr *Traffic) StopAfterKill(victim string) {
	tr.t.Helper()
	for _, r := range tr.Stop() {
		if r.Err != nil || r.Status != http.StatusOK {
			tr.t.Errorf("a request (phase %d): %v, want 200", r.Phase, r.Reply)
		}
		if r.Phase == AfterKill && r.BackendID == victim {
			tr.t.Errorf("a request sent after the kill reached the killed instance: %v", r.Reply)
		}
	}
}

// AwaitGone waits until none of the processes list returns has label.
func AwaitGone(t testing.TB, within time.Duration, what string, list func() []Process, label string) {
	t.Helper()
	Eventually(t, within, what, func() (bool, string) {
		var left []Process
		for _, p := range list() {
			if p.Label == label {
				left = append(left, p)
			}
		}
		return len(left) == 0, fmt.Sprintf("%v", left)
	})
}
