// Package osusertest creates real OS accounts for tests that must prove
// what a process runs as (run-as-user in the shell scheduler). Creating
// accounts needs root; a test calls RequireRoot first and, when it runs as
// any other user, skips with the reason. Every account and group is
// removed when the test ends.
package osusertest

import (
	"crypto/rand"
	"encoding/hex"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/waiter-go/waiter/internal/osuser"
)

// RequireRoot skips t, saying why, unless the test runs as root: only
// root can create accounts or start processes as them (CI runs as root).
func RequireRoot(t testing.TB) {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Skip("needs root: only root can create OS accounts and start processes as them (CI runs as root)")
	}
}

// NewGroup creates a group with a fresh name and returns its name; it is
// deleted when t ends.
func NewGroup(t testing.TB) string {
	t.Helper()
	RequireRoot(t)
	name := freshName("wtg")
	run(t, "groupadd", name)
	t.Cleanup(func() { runCleanup(t, "groupdel", name) })
	return name
}

// NewUser creates an account with a fresh name, its own primary group, a
// home folder and membership of groups, and returns it as osuser reads
// it. It is deleted, home included, when t ends: register it before
// anything that starts processes as it, so those are stopped first.
func NewUser(t testing.TB, groups ...string) osuser.Account {
	t.Helper()
	return NewUserNamed(t, FreshName(), groups...)
}

// NewUserNamed is NewUser with a name from FreshName, for a test that
// uses the name before the account exists.
func NewUserNamed(t testing.TB, name string, groups ...string) osuser.Account {
	t.Helper()
	RequireRoot(t)
	args := []string{"--create-home", "--user-group", "--shell", "/bin/sh"}
	if len(groups) > 0 {
		args = append(args, "--groups", strings.Join(groups, ","))
	}
	run(t, "useradd", append(args, name)...)
	t.Cleanup(func() { runCleanup(t, "userdel", "--remove", name) })
	a, err := osuser.Lookup(name)
	if err != nil {
		t.Fatalf("the account just created: %v", err)
	}
	return a
}

// FreshName is an account name no account has: "wtu" and 8 random hex
// digits (lower case, starts with a letter, 11 characters).
func FreshName() string { return freshName("wtu") }

// freshName is prefix and 8 random hex digits.
func freshName(prefix string) string {
	var b [4]byte
	_, _ = rand.Read(b[:])
	return prefix + hex.EncodeToString(b[:])
}

func run(t testing.TB, name string, args ...string) {
	t.Helper()
	if out, err := locked(name, args...); err != nil {
		t.Fatalf("%s %s: %v\n%s", name, strings.Join(args, " "), err, out)
	}
}

func runCleanup(t testing.TB, name string, args ...string) {
	t.Helper()
	if out, err := locked(name, args...); err != nil {
		t.Errorf("cleanup: %s %s: %v\n%s", name, strings.Join(args, " "), err, out)
	}
}

// locked runs an account tool while holding a lock file: useradd and
// friends refuse to run ("cannot lock /etc/passwd") while another one
// holds the account databases, and test binaries of several packages run
// at once.
func locked(name string, args ...string) ([]byte, error) {
	f, err := os.OpenFile(filepath.Join(os.TempDir(), "waiter-osusertest.lock"), os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX); err != nil {
		return nil, err
	}
	return exec.Command(name, args...).CombinedOutput()
}

// SearchableTempDir is t.TempDir made reachable by every account: it
// and its parent (both 0700 as testing makes them) become 0755, so that
// processes started as other users can enter folders beneath it.
func SearchableTempDir(t testing.TB) string {
	t.Helper()
	dir := t.TempDir()
	for _, d := range []string{filepath.Dir(dir), dir} {
		if err := os.Chmod(d, 0o755); err != nil {
			t.Fatalf("make %s searchable: %v", d, err)
		}
	}
	return dir
}
