package childproc

import (
	"bytes"
	"fmt"
	"regexp"
	"strings"
	"sync"
	"time"
)

// Output collects what a child process writes to stdout and stderr, and
// wakes waiters on every write, so that a test can wait for a log line
// without polling the buffer on a timer.
type Output struct {
	mu      sync.Mutex
	buf     bytes.Buffer
	changed chan struct{} // closed, then replaced, on every write
}

func newOutput() *Output { return &Output{changed: make(chan struct{})} }

func (o *Output) Write(p []byte) (int, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.buf.Write(p)
	close(o.changed)
	o.changed = make(chan struct{})
	return len(p), nil
}

// snapshot returns the text so far and a channel closed at the next write.
func (o *Output) snapshot() (string, <-chan struct{}) {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.buf.String(), o.changed
}

// Tail returns the last n lines, for failure messages.
func (o *Output) Tail(n int) string {
	s, _ := o.snapshot()
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}

// WaitFor returns re's first submatch once the output matches it. It
// gives up at the timeout, or when exited is closed (the process ended
// without writing it).
func (o *Output) WaitFor(re *regexp.Regexp, timeout time.Duration, exited <-chan struct{}) (string, error) {
	deadline := time.NewTimer(timeout)
	defer deadline.Stop()
	for {
		s, changed := o.snapshot()
		if m := re.FindStringSubmatch(s); m != nil {
			if len(m) > 1 {
				return m[1], nil
			}
			return m[0], nil
		}
		select {
		case <-changed:
		case <-exited:
			if s, _ := o.snapshot(); re.MatchString(s) {
				continue // written just before it exited
			}
			return "", fmt.Errorf("exited before writing %q", re)
		case <-deadline.C:
			return "", fmt.Errorf("did not write %q within %s", re, timeout)
		}
	}
}
