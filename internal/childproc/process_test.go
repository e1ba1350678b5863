package childproc

import (
	"regexp"
	"strings"
	"testing"
	"time"
)

// A child's output can be waited on; SIGTERM stops it with its exit code.
func TestStartWaitStop(t *testing.T) {
	p, err := Start("sh", "sh", "-c", `trap 'exit 3' TERM; echo "listening on 42"; while :; do sleep 0.05; done`)
	if err != nil {
		t.Fatal(err)
	}
	defer p.Kill()
	port, err := p.Out.WaitFor(regexp.MustCompile(`listening on (\d+)`), 10*time.Second, p.Done())
	if err != nil || port != "42" {
		t.Fatalf("WaitFor: %q, %v", port, err)
	}
	if code, err := p.Stop(10 * time.Second); err != nil || code != 3 {
		t.Fatalf("Stop: exit %d, %v; want 3", code, err)
	}
	if !p.Exited() {
		t.Error("not exited after Stop")
	}
}

// A child that outlives SIGTERM is killed, and Stop says so with the end
// of its output.
func TestStopKillsAHungChild(t *testing.T) {
	p, err := Start("stubborn", "sh", "-c", `trap '' TERM QUIT; echo "ignoring signals"; while :; do sleep 0.05; done`)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := p.Out.WaitFor(regexp.MustCompile(`ignoring`), 10*time.Second, p.Done()); err != nil {
		t.Fatal(err)
	}
	_, err = p.Stop(200 * time.Millisecond)
	if err == nil || !strings.Contains(err.Error(), "stubborn did not exit") || !strings.Contains(err.Error(), "ignoring signals") {
		t.Fatalf("Stop of a process ignoring SIGTERM: %v", err)
	}
	if !p.Exited() {
		t.Error("not exited after the kill")
	}
}

// WaitFor gives up when the process ends without writing the line.
func TestWaitForAnExitedChild(t *testing.T) {
	p, err := Start("sh", "sh", "-c", "echo something else")
	if err != nil {
		t.Fatal(err)
	}
	defer p.Kill()
	if _, err := p.Out.WaitFor(regexp.MustCompile(`listening`), 10*time.Second, p.Done()); err == nil ||
		!strings.Contains(err.Error(), "exited before") {
		t.Fatalf("WaitFor on a process that ended: %v", err)
	}
}
