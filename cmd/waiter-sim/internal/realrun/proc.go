package realrun

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"regexp"
	"sync"
	"syscall"
	"time"
)

// child is a program this package started (waiter serve, a simulated
// Marathon, a kitchen being timed): its output goes to a log file, and
// the first line matching a pattern gives its address.
type child struct {
	name string
	cmd  *exec.Cmd
	log  string
	done chan struct{}
	err  error

	mu   sync.Mutex
	tail []string
}

// startChild starts bin with args, logging to logPath, and waits up to
// within for a line of its stderr or stdout matching ready (group 1 is
// returned).
func startChild(name, logPath string, ready *regexp.Regexp, within time.Duration, bin string, args ...string) (*child, string, error) {
	f, err := os.Create(logPath)
	if err != nil {
		return nil, "", err
	}
	c := &child{name: name, log: logPath, done: make(chan struct{})}
	c.cmd = exec.Command(bin, args...)
	// Its own process group, so stopping it stops what it started.
	c.cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	pr, pw := io.Pipe()
	c.cmd.Stdout, c.cmd.Stderr = pw, pw
	if err := c.cmd.Start(); err != nil {
		f.Close()
		return nil, "", fmt.Errorf("start %s: %w", name, err)
	}
	addr := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(pr)
		sc.Buffer(make([]byte, 64<<10), 1<<20)
		found := false
		for sc.Scan() {
			line := sc.Text()
			fmt.Fprintln(f, line)
			c.mu.Lock()
			c.tail = append(c.tail, line)
			if len(c.tail) > 40 {
				c.tail = c.tail[len(c.tail)-40:]
			}
			c.mu.Unlock()
			if m := ready.FindStringSubmatch(line); m != nil && !found {
				found = true
				addr <- m[1]
			}
		}
		_, _ = io.Copy(f, pr)
	}()
	go func() {
		c.err = c.cmd.Wait()
		pw.Close()
		f.Close()
		close(c.done)
	}()
	select {
	case a := <-addr:
		return c, a, nil
	case <-c.done:
		return nil, "", fmt.Errorf("%s exited before it was ready (%v):\n%s", name, c.err, c.lastLines())
	case <-time.After(within):
		c.stop(5 * time.Second)
		return nil, "", fmt.Errorf("%s not ready within %v:\n%s", name, within, c.lastLines())
	}
}

func (c *child) lastLines() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := ""
	for _, l := range c.tail {
		out += l + "\n"
	}
	return out
}

// stop sends SIGTERM (the program stops what it started), then SIGKILL
// to its process group after within.
func (c *child) stop(within time.Duration) error {
	select {
	case <-c.done:
		return nil
	default:
	}
	if err := c.cmd.Process.Signal(syscall.SIGTERM); err != nil && !errors.Is(err, os.ErrProcessDone) {
		return fmt.Errorf("stop %s: %w", c.name, err)
	}
	select {
	case <-c.done:
		return nil
	case <-time.After(within):
		_ = syscall.Kill(-c.cmd.Process.Pid, syscall.SIGKILL)
		<-c.done
		return fmt.Errorf("%s still running %v after SIGTERM: killed", c.name, within)
	}
}
