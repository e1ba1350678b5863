package bolt_test

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/waiter-go/waiter"
	"github.com/waiter-go/waiter/adapters/bolt"
	"github.com/waiter-go/waiter/internal/leakcheck"
)

// The disk-full test needs a file system that really fills up. The test
// re-executes its own binary in a new mount namespace (as root, or through
// an unprivileged user namespace), where the child mounts a 1 MiB tmpfs
// over a temporary folder. The mount exists only in the child's namespace
// and goes away with it, whatever happens; the host never sees it.
const diskHelperEnv = "WAITER_BOLT_DISKFULL_DIR"

// TestMain runs the disk-full child when re-executed as one, and the tests
// otherwise.
func TestMain(m *testing.M) {
	if dir := os.Getenv(diskHelperEnv); dir != "" {
		os.Exit(diskFullChild(dir))
	}
	os.Exit(leakcheck.Run(m))
}

// TestDiskFull_NothingAcknowledgedIsLost fills a 1 MiB file system with
// token writes until one fails, then checks: the failure is ErrStoreFull
// and says the disk is full; the failed write left the previous version
// intact; Health reports it; once space is freed writes work again; after
// a reopen (with its full check) every acknowledged write is there. Then
// it remounts the file system read-only: the store opens read-only, serves
// reads, and refuses writes with ErrStoreReadOnly.
func TestDiskFull_NothingAcknowledgedIsLost(t *testing.T) {
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), diskHelperEnv+"="+t.TempDir())
	cmd.SysProcAttr = &syscall.SysProcAttr{Cloneflags: syscall.CLONE_NEWNS}
	if os.Geteuid() != 0 {
		cmd.SysProcAttr.Cloneflags |= syscall.CLONE_NEWUSER
		cmd.SysProcAttr.UidMappings = []syscall.SysProcIDMap{{ContainerID: 0, HostID: os.Getuid(), Size: 1}}
		cmd.SysProcAttr.GidMappings = []syscall.SysProcIDMap{{ContainerID: 0, HostID: os.Getgid(), Size: 1}}
	}
	out, err := cmd.CombinedOutput()
	t.Logf("child:\n%s", out)
	var exitErr *exec.ExitError
	switch {
	case errors.As(err, &exitErr):
		t.Fatalf("the disk-full child failed: %v", err)
	case err != nil:
		t.Fatalf("starting the child in a new mount namespace: %v (this test needs root or unprivileged user namespaces)", err)
	}
}

// diskFullChild runs in its own mount namespace and returns its exit
// status: 0 when every check held.
func diskFullChild(dir string) int {
	c := &childChecks{}
	c.run(dir)
	if len(c.failures) > 0 {
		for _, f := range c.failures {
			fmt.Println("FAIL:", f)
		}
		return 1
	}
	return 0
}

type childChecks struct{ failures []string }

func (c *childChecks) check(ok bool, format string, args ...any) bool {
	if !ok {
		c.failures = append(c.failures, fmt.Sprintf(format, args...))
	}
	return ok
}

func (c *childChecks) must(err error, what string) bool {
	return c.check(err == nil, "%s: %v", what, err)
}

func (c *childChecks) run(dir string) {
	// Keep the mount out of the parent's namespace even where / is a
	// shared mount (systemd's default), then mount the small file system.
	if !c.must(syscall.Mount("", "/", "", syscall.MS_REC|syscall.MS_PRIVATE, ""), "make mounts private") ||
		!c.must(syscall.Mount("tmpfs", dir, "tmpfs", 0, "size=1m"), "mount a 1 MiB tmpfs") {
		return
	}
	path := filepath.Join(dir, "waiter.db")
	ballast := filepath.Join(dir, "ballast")
	if !c.must(os.WriteFile(ballast, make([]byte, 256<<10), 0o600), "write ballast") {
		return
	}
	s, err := bolt.Open(path)
	if !c.must(err, "open") {
		return
	}
	acked := c.fill(s)
	if acked == nil {
		_ = s.Close()
		return
	}

	// Free the ballast: the store writes again, and says so in Health.
	c.must(os.Remove(ballast), "remove ballast")
	_, _, err = s.PutToken("after-space-freed", map[string]any{"cmd": "ls"}, "", "alice", t0)
	c.must(err, "write once space is freed")
	c.check(s.StoreHealth().WriteFailure == "", "Health still reports a write failure after a write succeeded: %+v", s.StoreHealth())
	acked["after-space-freed"] = -1
	c.must(s.Close(), "close")

	s, err = bolt.Open(path)
	if !c.must(err, "reopen after the disk filled") {
		return
	}
	c.checkAcked(s, acked)
	c.must(s.Close(), "close")

	c.readOnly(dir, path, acked)
}

// fill writes until the disk is full and returns the acknowledged writes
// (token name -> seq; -1 for tokens without one), or nil if a check
// failed. Each round creates a token and updates "steady", so the failing
// write is either kind.
func (c *childChecks) fill(s *bolt.Store) map[string]int {
	acked := map[string]int{}
	pad := strings.Repeat("x", 2000)
	var failed error
	for i := 0; failed == nil && i < 10000; i++ {
		name := fmt.Sprintf("t-%04d", i)
		if _, _, failed = s.PutToken(name, map[string]any{"cmd": pad, "seq": i}, "", "alice", t0); failed != nil {
			_, err := s.GetToken(name, false)
			c.check(errors.Is(err, waiter.ErrTokenNotFound), "the failed create of %s left a token behind: %v", name, err)
			break
		}
		acked[name] = i
		if _, _, failed = s.PutToken("steady", map[string]any{"cmd": "ls", "seq": i}, "", "alice", t0); failed == nil {
			acked["steady"] = i
		}
	}
	fmt.Printf("disk full after %d acknowledged writes: %v\n", len(acked), failed)
	if !c.check(errors.Is(failed, waiter.ErrStoreFull), "the failing write returned %v, want ErrStoreFull", failed) {
		return nil
	}
	c.check(strings.Contains(failed.Error(), "disk is full") && strings.Contains(failed.Error(), "no space left"),
		"the error does not say the disk is full: %v", failed)
	tok, err := s.GetToken("steady", false)
	c.check(err == nil && tok.Data["seq"] == float64(acked["steady"]),
		"after the failed write, steady is %v (%v), want its last acknowledged seq %d", tok.Data["seq"], err, acked["steady"])
	h := s.StoreHealth()
	c.check(h.Status == waiter.HealthDegraded && strings.Contains(h.WriteFailure, "disk is full"), "Health after the failure: %+v", h)
	// Writing on: each write either fails the same way or, if it fits in
	// what the failed one gave back, succeeds and must then survive like
	// any acknowledged write.
	for i := range 20 {
		name := fmt.Sprintf("more-%02d", i)
		_, _, err = s.PutToken(name, map[string]any{"cmd": pad, "seq": i}, "", "alice", t0)
		if err == nil {
			acked[name] = i
			continue
		}
		c.check(errors.Is(err, waiter.ErrStoreFull), "write %s on the full disk returned %v", name, err)
	}
	return acked
}

// checkAcked checks every acknowledged write is in the store.
func (c *childChecks) checkAcked(s *bolt.Store, acked map[string]int) {
	for name, seq := range acked {
		tok, err := s.GetToken(name, false)
		if !c.must(err, "read acknowledged token "+name) {
			continue
		}
		if seq >= 0 {
			c.check(tok.Data["seq"] == float64(seq), "token %s has seq %v, acknowledged %d", name, tok.Data["seq"], seq)
		}
	}
	fmt.Printf("all %d acknowledged tokens read back after reopening\n", len(acked))
}

// readOnly remounts the file system read-only and opens the store on it.
func (c *childChecks) readOnly(dir, path string, acked map[string]int) {
	if !c.must(syscall.Mount("", dir, "", syscall.MS_REMOUNT|syscall.MS_RDONLY, ""), "remount read-only") {
		return
	}
	s, err := bolt.Open(path)
	if !c.must(err, "open on a read-only file system") {
		return
	}
	defer s.Close()
	h := s.StoreHealth()
	c.check(h.ReadOnly && h.Status == waiter.HealthDegraded, "Health of a read-only store: %+v", h)
	c.checkAcked(s, acked)
	_, _, err = s.PutToken("steady", map[string]any{"cmd": "new"}, "", "alice", t0)
	c.check(errors.Is(err, waiter.ErrStoreReadOnly) && strings.Contains(err.Error(), "read-only file system"),
		"a write to a read-only store returned %v, want ErrStoreReadOnly naming the cause", err)
	fmt.Printf("read-only store: %v\n", err)
}
