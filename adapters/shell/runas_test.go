package shell

import (
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/waiter-go/waiter/engine"
	"github.com/waiter-go/waiter/internal/osuser"
	"github.com/waiter-go/waiter/internal/osuser/osusertest"
	"github.com/waiter-go/waiter/internal/procgroup"
)

// Run-as-user is real: as root, instances run as the account; as anyone
// else, other accounts are refused. Tests that need root to create
// accounts skip with the reason when not root (CI runs as root); the
// refusals are tested whoever runs them.

// procIDs reads the real, effective, saved and filesystem uids and gids
// and the supplementary groups of pid from /proc/<pid>/status.
func procIDs(t *testing.T, pid int) (uids, gids, groups []string) {
	t.Helper()
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/status")
	if err != nil {
		t.Fatalf("status of pid %d: %v", pid, err)
	}
	for _, line := range strings.Split(string(b), "\n") {
		key, val, _ := strings.Cut(line, ":")
		switch key {
		case "Uid":
			uids = strings.Fields(val)
		case "Gid":
			gids = strings.Fields(val)
		case "Groups":
			groups = strings.Fields(val)
		}
	}
	return uids, gids, groups
}

func ownerOf(t *testing.T, path string) uint32 {
	t.Helper()
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	return fi.Sys().(*syscall.Stat_t).Uid
}

// getEnv asks a server-role instance for its environment, cwd and pid.
func getEnv(t *testing.T, in engine.ObservedInstance) map[string]string {
	t.Helper()
	resp, err := http.Get("http://" + net.JoinHostPort(in.Host, strconv.Itoa(in.Port)) + "/env")
	if err != nil {
		t.Fatalf("GET /env: %v", err)
	}
	defer resp.Body.Close()
	var env map[string]string
	if err := json.NewDecoder(resp.Body).Decode(&env); err != nil {
		t.Fatalf("decode /env: %v", err)
	}
	return env
}

func TestRunAsUserRunsAsThatAccount(t *testing.T) {
	osusertest.RequireRoot(t)
	t.Parallel()
	extra := osusertest.NewGroup(t)
	alice := osusertest.NewUser(t, extra)
	g, err := user.LookupGroup(extra)
	if err != nil {
		t.Fatal(err)
	}
	s := newTestScheduler(t, func(c *Config) { c.WorkDir = osusertest.SearchableTempDir(t) })
	d := describe(t, engine.Params{"run-as-user": alice.Name})
	create(t, s, d, 1)
	in := waitObs(t, s, d.ID, "a healthy instance of "+alice.Name, healthy(1)).Instances[0]

	env := getEnv(t, in)
	pid, _ := strconv.Atoi(env["pid"])
	uids, gids, groups := procIDs(t, pid)
	uid, gid := strconv.Itoa(int(alice.UID)), strconv.Itoa(int(alice.GID))
	if !slices.Equal(uids, []string{uid, uid, uid, uid}) || !slices.Equal(gids, []string{gid, gid, gid, gid}) {
		t.Errorf("instance pid %d runs with uids %v gids %v, want all %s and %s (%s)", pid, uids, gids, uid, gid, alice.Name)
	}
	if !slices.Contains(groups, g.Gid) || !slices.Contains(groups, gid) || slices.Contains(groups, "0") {
		t.Errorf("supplementary groups %v, want %s's: %s (%s) and %s, and not root's", groups, alice.Name, g.Gid, extra, gid)
	}
	if env["HOME"] != alice.Home || env["USER"] != alice.Name || env["LOGNAME"] != alice.Name {
		t.Errorf("HOME=%q USER=%q LOGNAME=%q, want %q and %s", env["HOME"], env["USER"], env["LOGNAME"], alice.Home, alice.Name)
	}

	// Its folder is its own: it wrote timing.json there, and its output.
	dir := s.InstanceDir(d.ID, in.ID)
	if env["cwd"] != dir {
		t.Errorf("cwd %q, want the instance folder %s", env["cwd"], dir)
	}
	for _, name := range []string{"", "stdout", "stderr", timingFile} {
		if owner := ownerOf(t, filepath.Join(dir, name)); owner != alice.UID {
			t.Errorf("%s/%s is owned by uid %d, want %s's %d", dir, name, owner, alice.Name, alice.UID)
		}
	}
	// Other accounts pass through the service folder but can
	// neither list them nor enter the instance's folder (its logs).
	for path, want := range map[string]os.FileMode{filepath.Dir(dir): 0o711, dir: 0o750} {
		if fi, err := os.Stat(path); err != nil || fi.Mode().Perm() != want {
			t.Errorf("%s: mode %v (%v), want %v", path, fi.Mode().Perm(), err, want)
		}
	}
	if out, _ := os.ReadFile(filepath.Join(dir, "stdout")); !strings.Contains(string(out), "serving on") {
		t.Errorf("stdout = %q, want the instance's own line", out)
	}
	// The restart record stays the router's, so the user cannot forge it.
	if owner := ownerOf(t, filepath.Join(dir, instanceRecordName)); owner != 0 {
		t.Errorf("instance.json owned by uid %d, want root's", owner)
	}

	// Stopping works across users.
	if err := s.KillInstance(t.Context(), d.ID, in.ID, engine.KillOptions{}); err != nil {
		t.Fatal(err)
	}
	pgid := pgidOf(t, s, d.ID, in.ID)
	waitUntil(t, "the killed group to be gone", func() bool { return !procgroup.Alive(pgid) })
}

func TestMemoryLimitAppliesToOtherUsers(t *testing.T) {
	osusertest.RequireRoot(t)
	t.Parallel()
	alice := osusertest.NewUser(t)
	s := newTestScheduler(t, func(c *Config) {
		c.WorkDir = osusertest.SearchableTempDir(t)
		c.MemoryCheckInterval = 10 * time.Millisecond
	})
	d := describe(t, engine.Params{"run-as-user": alice.Name, "mem": 48.0, "grace-period-secs": 0.0,
		"env": map[string]string{envRole: "idle", envChild: "1", envChildRole: "alloc", envAllocMB: "96"}})
	create(t, s, d, 1)
	f := waitObs(t, s, d.ID, "a memory-limit kill", failedAtLeast(1)).Failed[0]
	if f.Flags&engine.FlagMemoryLimitExceeded == 0 {
		t.Errorf("failed instance = %+v, want memory-limit-exceeded", f)
	}
	pgid := pgidOf(t, s, d.ID, f.ID)
	waitUntil(t, "the killed group to be gone", func() bool { return !procgroup.Alive(pgid) })
}

// An unknown run-as-user is the service's deployment error, at once: no
// instance, no folder, and the reason in the observation for the engine
// to give clients. Once the account exists, the retry launches.
func TestUnknownRunAsUserIsADeploymentError(t *testing.T) {
	t.Parallel()
	s := newTestScheduler(t, func(c *Config) { c.WorkDir = osusertest.SearchableTempDir(t) })
	name := osusertest.FreshName()
	d := describe(t, engine.Params{"run-as-user": name})
	updates := s.Subscribe()
	create(t, s, d, 1)
	obs := observe(t, s, d.ID)
	want := "run-as-user " + name + " does not exist on this host"
	if !obs.Exists || obs.DeploymentError != want || obs.Scheduled != 0 || obs.Requested != 1 {
		t.Fatalf("observation %+v, want the service with deployment error %q and nothing scheduled", obs, want)
	}
	if got := <-updates; got != d.ID {
		t.Errorf("notified %q, want %s", got, d.ID)
	}
	entries, _ := os.ReadDir(filepath.Join(s.cfg.WorkDir, d.ID))
	for _, e := range entries {
		if e.IsDir() {
			t.Errorf("an instance folder %s was made for an account that does not exist", e.Name())
		}
	}

	t.Run("cleared once the account exists", func(t *testing.T) {
		osusertest.NewUserNamed(t, name)
		// Stop the instance before the account goes.
		t.Cleanup(func() {
			if err := s.DeleteService(context.Background(), d.ID); err != nil {
				t.Errorf("DeleteService: %v", err)
			}
			waitUntil(t, "the service's processes to stop", func() bool { return len(processesUnder(s.cfg.WorkDir)) == 0 })
		})
		obs := waitObs(t, s, d.ID, "the retry to launch as the new account", healthy(1))
		if obs.DeploymentError != "" {
			t.Errorf("deployment error %q outlived its cause", obs.DeploymentError)
		}
	})
}

// A router that is not root runs its own user's services only. As root
// the test makes that real: the router runs as one new account and is
// asked for another. As anyone else it asks for root.
func TestNonRootRouterRefusesOtherUsers(t *testing.T) {
	t.Parallel()
	if os.Geteuid() != 0 {
		self, err := osuser.Current()
		if err != nil {
			t.Fatal(err)
		}
		s := newTestScheduler(t, nil)
		d := describe(t, engine.Params{"run-as-user": "root"})
		create(t, s, d, 1)
		want := "the router runs as " + self.Name + " and cannot start processes as root; run it as root to run services as other users"
		if obs := observe(t, s, d.ID); obs.DeploymentError != want || obs.Scheduled != 0 {
			t.Fatalf("observation %+v, want deployment error %q", obs, want)
		}
		return
	}
	bob, alice := osusertest.NewUser(t), osusertest.NewUser(t)
	dir := filepath.Join(osusertest.SearchableTempDir(t), "work")
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Chown(dir, int(bob.UID), int(bob.GID)); err != nil {
		t.Fatal(err)
	}
	bin, err := serviceBinary()
	if err != nil {
		t.Fatal(err)
	}
	ports := testPortRange()
	cmd := exec.Command(bin)
	cmd.Env = append(os.Environ(), envRole+"=refuser", envRouterDir+"="+dir, envRouterRunAs+"="+alice.Name,
		fmt.Sprintf("%s=%d-%d", envRouterPorts, ports[0], ports[1]))
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: bob.UID, Gid: bob.GID}}
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("the router run as %s: %v\n%s", bob.Name, err, stderr.String())
	}
	var obs engine.Observation
	if err := json.Unmarshal(out, &obs); err != nil {
		t.Fatalf("its report %q: %v", out, err)
	}
	want := "the router runs as " + bob.Name + " and cannot start processes as " + alice.Name +
		"; run it as root to run services as other users"
	if obs.DeploymentError != want || obs.Scheduled != 0 || len(obs.Instances) != 0 {
		t.Errorf("observation %+v, want deployment error %q and no instance", obs, want)
	}
}

// A root router that cannot let the account into the work folder says
// so, instead of a bare "permission denied" from the launch.
func TestUnreachableWorkFolderIsADeploymentError(t *testing.T) {
	osusertest.RequireRoot(t)
	t.Parallel()
	alice := osusertest.NewUser(t)
	closed := t.TempDir() // 0700, root's
	s := newTestScheduler(t, func(c *Config) { c.WorkDir = filepath.Join(closed, "work") })
	d := describe(t, engine.Params{"run-as-user": alice.Name})
	create(t, s, d, 1)
	obs := observe(t, s, d.ID)
	if !strings.Contains(obs.DeploymentError, "is not searchable by "+alice.Name) ||
		!strings.Contains(obs.DeploymentError, "work folder and its parents must be searchable by every run-as-user") {
		t.Errorf("deployment error %q, want it to name the folder %s can't search", obs.DeploymentError, alice.Name)
	}
}

func TestRestartAdoptsInstancesOfOtherUsers(t *testing.T) {
	osusertest.RequireRoot(t)
	t.Parallel()
	alice := osusertest.NewUser(t)
	dir, ports := osusertest.SearchableTempDir(t), testPortRange()
	rep := crashedRouter(t, dir, ports, alice.Name)
	s := newTestScheduler(t, func(c *Config) { c.WorkDir, c.PortRange, c.Adopt = dir, ports, true })
	waitObs(t, s, rep.Service, "both adopted instances healthy", healthy(2))
	for id, pgid := range rep.Instances {
		if uids, _, _ := procIDs(t, pgid); len(uids) == 0 || uids[0] != strconv.Itoa(int(alice.UID)) {
			t.Errorf("adopted leader %d runs as uid %v, want %s's %d", pgid, uids, alice.Name, alice.UID)
		}
		if err := s.KillInstance(t.Context(), rep.Service, id, engine.KillOptions{}); err != nil {
			t.Fatalf("KillInstance(adopted %s): %v", id, err)
		}
		waitUntil(t, "the adopted group to be gone", func() bool { return !procgroup.Alive(pgid) })
	}
}

// An instance folder is its user's, so its instance.json could be
// replaced by them. A record naming someone else's process group, with
// the right pid, start time and boot, must not make a restarted root
// router kill that group.
func TestForgedInstanceRecordIsNotTrusted(t *testing.T) {
	osusertest.RequireRoot(t)
	t.Parallel()
	alice := osusertest.NewUser(t)
	dir, ports := osusertest.SearchableTempDir(t), testPortRange()
	rep := crashedRouter(t, dir, ports, alice.Name)

	victim := exec.Command("sleep", "60")
	victim.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := victim.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = victim.Process.Kill(); _ = victim.Wait() })
	st, err := readStat(victim.Process.Pid)
	if err != nil {
		t.Fatal(err)
	}
	var forged, genuine string
	for id := range rep.Instances {
		if forged == "" {
			forged = id
		} else {
			genuine = id
		}
	}
	recPath := filepath.Join(dir, rep.Service, forged, instanceRecordName)
	var rec instanceRecord
	if err := readJSON(recPath, &rec); err != nil {
		t.Fatal(err)
	}
	rec.PID, rec.PGID, rec.StartTicks = victim.Process.Pid, victim.Process.Pid, st.startTicks
	if err := writeJSON(recPath, rec); err != nil {
		t.Fatal(err)
	}
	if err := os.Chown(recPath, int(alice.UID), int(alice.GID)); err != nil { // as if alice wrote it
		t.Fatal(err)
	}

	newTestScheduler(t, func(c *Config) { c.WorkDir, c.PortRange = dir, ports })
	// The instance whose record was replaced is nobody's now: the
	// router leaves it alone, so the test stops it.
	t.Cleanup(func() {
		gone := make(chan struct{})
		close(gone)
		_ = procgroup.Signal(rep.Instances[forged], syscall.SIGKILL)
		procgroup.WaitGone(rep.Instances[forged], gone, waitTimeout)
	})
	if !procgroup.Alive(victim.Process.Pid) {
		t.Fatal("a record the run-as-user could write made the router kill another group")
	}
	if procgroup.Alive(rep.Instances[genuine]) {
		t.Error("the genuine leftover was not terminated")
	}
}
