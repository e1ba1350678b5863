package osuser_test

import (
	"errors"
	"os"
	"os/user"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/waiter-go/waiter/internal/osuser"
	"github.com/waiter-go/waiter/internal/osuser/osusertest"
)

func TestCurrentIsThisProcess(t *testing.T) {
	a, err := osuser.Current()
	if err != nil {
		t.Fatal(err)
	}
	if int(a.UID) != os.Getuid() || int(a.GID) != os.Getgid() {
		t.Errorf("Current() = uid %d gid %d, this process runs as %d:%d", a.UID, a.GID, os.Getuid(), os.Getgid())
	}
	if !slices.Contains(a.Groups, a.GID) {
		t.Errorf("groups %v lack the primary group %d", a.Groups, a.GID)
	}
}

func TestLookupOfAnUnknownUserNamesIt(t *testing.T) {
	_, err := osuser.Lookup("wt-no-such-user")
	var oe *osuser.Error
	if !errors.As(err, &oe) || !errors.Is(err, osuser.ErrUnknownUser) {
		t.Fatalf("err = %v, want an *osuser.Error wrapping ErrUnknownUser", err)
	}
	if want := "run-as-user wt-no-such-user does not exist on this host"; err.Error() != want {
		t.Errorf("message %q, want %q", err.Error(), want)
	}
}

// A non-root runner may run its own account only. Root's account exists
// on every host, so the refusal is tested for real whoever runs the test:
// as root, with a Runner that claims no privilege.
func TestUnprivilegedRunnerRefusesOtherUsers(t *testing.T) {
	self, err := osuser.Current()
	if err != nil {
		t.Fatal(err)
	}
	other := "root"
	if self.UID == 0 {
		other = "nobody"
	}
	r := osuser.Runner{Self: self, Privileged: false}
	if _, cred, err := r.Resolve(""); err != nil || cred != nil {
		t.Errorf(`Resolve("") = %v, %v; want the runner's own account, no credential`, cred, err)
	}
	if a, cred, err := r.Resolve(self.Name); err != nil || cred != nil || a.UID != self.UID {
		t.Errorf("Resolve(self) = %+v, %v, %v; want itself without a credential", a, cred, err)
	}
	_, cred, err := r.Resolve(other)
	if !errors.Is(err, osuser.ErrNotPermitted) || cred != nil {
		t.Fatalf("Resolve(%s) = %v, %v; want ErrNotPermitted", other, cred, err)
	}
	want := "the router runs as " + self.Name + " and cannot start processes as " + other +
		"; run it as root to run services as other users"
	if err.Error() != want {
		t.Errorf("message %q, want %q", err.Error(), want)
	}
	if _, _, err := r.Resolve("wt-no-such-user"); !errors.Is(err, osuser.ErrUnknownUser) {
		t.Errorf("unknown user: %v, want ErrUnknownUser (the more useful message)", err)
	}
}

func TestPrivilegedRunnerSwitchesToTheAccount(t *testing.T) {
	osusertest.RequireRoot(t)
	extra := osusertest.NewGroup(t)
	a := osusertest.NewUser(t, extra)
	g, err := user.LookupGroup(extra)
	if err != nil {
		t.Fatal(err)
	}
	extraGID, _ := strconv.Atoi(g.Gid)
	r := osuser.NewRunner()
	if !r.Privileged {
		t.Fatal("a runner of euid 0 is not privileged")
	}
	got, cred, err := r.Resolve(a.Name)
	if err != nil {
		t.Fatal(err)
	}
	if cred == nil || cred.Uid != a.UID || cred.Gid != a.GID {
		t.Fatalf("credential %+v, want uid %d gid %d", cred, a.UID, a.GID)
	}
	if !slices.Contains(cred.Groups, uint32(extraGID)) || !slices.Contains(cred.Groups, a.GID) {
		t.Errorf("credential groups %v lack the supplementary group %d or the primary %d", cred.Groups, extraGID, a.GID)
	}
	if got.Home != filepath.Join("/home", a.Name) {
		t.Errorf("home %q, want /home/%s (useradd's default)", got.Home, a.Name)
	}
	// Root as root: nothing to switch.
	if _, cred, err := r.Resolve("root"); err != nil || cred != nil {
		t.Errorf(`Resolve("root") as root = %v, %v; want no credential`, cred, err)
	}
}

func TestCheckReachFindsTheBlockingFolder(t *testing.T) {
	osusertest.RequireRoot(t)
	a := osusertest.NewUser(t)
	top := osusertest.SearchableTempDir(t)
	closed := filepath.Join(top, "closed")
	deep := filepath.Join(closed, "open")
	if err := os.MkdirAll(deep, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(closed, 0o750); err != nil {
		t.Fatal(err)
	}
	err := a.CheckReach(deep)
	if !errors.Is(err, osuser.ErrUnreachable) {
		t.Fatalf("CheckReach through a 0750 root folder = %v, want ErrUnreachable", err)
	}
	if !strings.Contains(err.Error(), closed+" is not searchable by "+a.Name) {
		t.Errorf("message %q does not name the blocking folder %s", err, closed)
	}
	// Group search is enough for a member; then everything is reachable.
	if err := os.Chown(closed, 0, int(a.GID)); err != nil {
		t.Fatal(err)
	}
	if err := a.CheckReach(deep); err != nil {
		t.Errorf("a folder searchable by the account's group: %v", err)
	}
	// Only the owner bits count for the owner, as in the kernel.
	if err := os.Chown(closed, int(a.UID), int(a.GID)); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(closed, 0o075); err != nil {
		t.Fatal(err)
	}
	if err := a.CheckReach(deep); !errors.Is(err, osuser.ErrUnreachable) {
		t.Errorf("owner without x but group and others with it: %v, want ErrUnreachable", err)
	}
}
