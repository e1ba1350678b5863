package shell

import (
	"context"
	"encoding/json"
	"errors"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/waiter-go/waiter/engine"
	"github.com/waiter-go/waiter/internal/procgroup"
)

func TestInstanceBecomesHealthyAndServes(t *testing.T) {
	t.Parallel()
	s := newTestScheduler(t, nil)
	d := describe(t, engine.Params{
		"ports":        2.0,
		"metric-group": "shelltest",
		"env":          map[string]string{"FOO": "bar", "WAITER_CONFIG_TOKEN": "tok"},
	})
	create(t, s, d, 1)
	obs := waitObs(t, s, d.ID, "a healthy instance", healthy(1))
	if obs.Requested != 1 || obs.Scheduled != 1 || !obs.Exists {
		t.Fatalf("observation = %+v, want exists, requested 1, scheduled 1", obs)
	}
	in := obs.Instances[0]
	if in.Host != Host || in.HealthCheckStatus != 200 || in.Flags&(engine.FlagHasConnected|engine.FlagHasResponded) == 0 {
		t.Errorf("instance = %+v, want host %s, status 200, connected and responded", in, Host)
	}
	if !strings.HasPrefix(in.ID, d.ID+".") {
		t.Errorf("instance id %q does not start with the service id", in.ID)
	}

	resp, err := http.Get("http://" + net.JoinHostPort(in.Host, strconv.Itoa(in.Port)) + "/env")
	if err != nil {
		t.Fatalf("GET /env: %v", err)
	}
	defer resp.Body.Close()
	var env map[string]string
	if err := json.NewDecoder(resp.Body).Decode(&env); err != nil {
		t.Fatalf("decode /env: %v", err)
	}
	dir := s.InstanceDir(d.ID, in.ID)
	self := s.runner.Self // no run-as-user: the router's own account
	want := map[string]string{
		"HOME":                     self.Home,
		"MESOS_SANDBOX":            dir,
		"WAITER_SANDBOX":           dir,
		"cwd":                      dir,
		"LOGNAME":                  self.Name,
		"USER":                     self.Name,
		"WAITER_CLUSTER":           "test-cluster",
		"WAITER_CONCURRENCY_LEVEL": "1",
		"WAITER_CPUS":              "0.5",
		"WAITER_MEM_MB":            "512",
		"WAITER_PASSWORD":          d.ID + ".password",
		"WAITER_SERVICE_ID":        d.ID,
		"WAITER_USERNAME":          "waiter",
		"WAITER_METRIC_GROUP":      "shelltest",
		"WAITER_TOKEN":             "tok",
		"FOO":                      "bar",
		"PORT0":                    strconv.Itoa(in.Port),
	}
	for k, v := range want {
		if env[k] != v {
			t.Errorf("env %s = %q, want %q", k, env[k], v)
		}
	}
	if _, ok := env["WAITER_CONFIG_TOKEN"]; ok {
		t.Errorf("WAITER_CONFIG_TOKEN passed through; Waiter renames it WAITER_TOKEN")
	}
	lo, hi := s.cfg.PortRange[0], s.cfg.PortRange[1]
	p0, _ := strconv.Atoi(env["PORT0"])
	p1, _ := strconv.Atoi(env["PORT1"])
	if p0 < lo || p0 > hi || p1 < lo || p1 > hi || p0 == p1 {
		t.Errorf("PORT0=%d PORT1=%d, want two distinct ports in [%d, %d]", p0, p1, lo, hi)
	}

	// Output lands in the instance folder, next to the restart record.
	stdout, _ := os.ReadFile(filepath.Join(dir, "stdout"))
	stderr, _ := os.ReadFile(filepath.Join(dir, "stderr"))
	if !strings.Contains(string(stdout), "serving on") || !strings.Contains(string(stderr), "a line on stderr") {
		t.Errorf("stdout = %q, stderr = %q", stdout, stderr)
	}
	var rec instanceRecord
	if err := readJSON(filepath.Join(dir, instanceRecordName), &rec); err != nil {
		t.Fatalf("instance record: %v", err)
	}
	// cmd is `exec <service>`, so the shell becomes the service: the
	// recorded leader is the process that answered.
	if pid, _ := strconv.Atoi(env["pid"]); rec.PID != pid || rec.PGID != pid {
		t.Errorf("record pid %d pgid %d, service pid %d", rec.PID, rec.PGID, pid)
	}
	if rec.InstanceID != in.ID || len(rec.Ports) != 2 || rec.Ports[0] != in.Port {
		t.Errorf("record = %+v", rec)
	}
}

func TestScaleUpAndDown(t *testing.T) {
	t.Parallel()
	s := newTestScheduler(t, nil)
	d := describe(t, nil)
	ctx := context.Background()
	create(t, s, d, 1)
	first := waitObs(t, s, d.ID, "1 healthy", healthy(1)).Instances[0]

	if err := s.ScaleService(ctx, d.ID, 3, false); err != nil {
		t.Fatalf("ScaleService up: %v", err)
	}
	if obs := observe(t, s, d.ID); obs.Scheduled != 3 {
		t.Fatalf("scheduled %d right after scaling to 3: scale-up should launch at once", obs.Scheduled)
	}
	obs := waitObs(t, s, d.ID, "3 healthy", healthy(3))
	if obs.Requested != 3 || obs.Scheduled != 3 {
		t.Fatalf("after scale up: requested %d scheduled %d", obs.Requested, obs.Scheduled)
	}
	ports := map[int]bool{}
	var pgids []int
	for _, in := range obs.Instances {
		ports[in.Port] = true
		if in.ID != first.ID {
			pgids = append(pgids, pgidOf(t, s, d.ID, in.ID))
		}
	}
	if len(ports) != 3 {
		t.Fatalf("ports %v are not distinct", ports)
	}

	if err := s.ScaleService(ctx, d.ID, 1, false); err != nil {
		t.Fatalf("ScaleService down: %v", err)
	}
	obs = observe(t, s, d.ID)
	if obs.Requested != 1 || obs.Scheduled != 1 || len(obs.Instances) != 1 || obs.Instances[0].ID != first.ID {
		t.Fatalf("after scale down: %+v, want only the oldest instance %s", obs, first.ID)
	}
	for _, pgid := range pgids {
		waitUntil(t, "scaled-down group "+strconv.Itoa(pgid)+" to be gone", func() bool { return !procgroup.Alive(pgid) })
	}
	if len(obs.Failed) != 0 {
		t.Errorf("scale-down kills are not failures: %+v", obs.Failed)
	}
}

func TestKillInstanceStopsWholeGroup(t *testing.T) {
	t.Parallel()
	s := newTestScheduler(t, nil)
	d := describe(t, engine.Params{"env": map[string]string{envChild: "1"}})
	ctx := context.Background()
	create(t, s, d, 2)
	obs := waitObs(t, s, d.ID, "2 healthy", healthy(2))
	victim := obs.Instances[1]
	pgid := pgidOf(t, s, d.ID, victim.ID)
	waitUntil(t, "the forked child to join the group", func() bool { return groupSize(pgid) == 2 })

	if err := s.KillInstance(ctx, d.ID, victim.ID, engine.KillOptions{}); err != nil {
		t.Fatalf("KillInstance: %v", err)
	}
	obs = observe(t, s, d.ID)
	if obs.Requested != 1 || obs.Scheduled != 1 || len(obs.Instances) != 1 || obs.Instances[0].ID == victim.ID {
		t.Fatalf("after kill: %+v, want requested 1 and the victim gone", obs)
	}
	waitUntil(t, "the victim's group (leader and child) to be gone", func() bool { return !procgroup.Alive(pgid) })
	waitUntil(t, "the victim's folder to be removed", func() bool {
		_, err := os.Stat(s.InstanceDir(d.ID, victim.ID))
		return os.IsNotExist(err)
	})
	if len(obs.Failed) != 0 {
		t.Errorf("a requested kill is not a failure: %+v", obs.Failed)
	}

	if err := s.KillInstance(ctx, d.ID, victim.ID, engine.KillOptions{}); !errors.Is(err, ErrInstanceNotFound) {
		t.Errorf("killing it again: %v, want ErrInstanceNotFound", err)
	}
	if err := s.KillInstance(ctx, "no-such-service", "x", engine.KillOptions{}); !errors.Is(err, ErrServiceNotFound) {
		t.Errorf("kill in unknown service: %v, want ErrServiceNotFound", err)
	}
}

// groupSize counts the live processes of group pgid.
func groupSize(pgid int) int {
	procs, _ := scanProcs()
	n := 0
	for _, p := range procs {
		if p.pgrp == pgid && !p.dead() {
			n++
		}
	}
	return n
}

func TestKillSendsSIGTERMThenSIGKILL(t *testing.T) {
	t.Parallel()
	s := newTestScheduler(t, nil)
	marker := filepath.Join(t.TempDir(), "got-sigterm")
	d := describe(t, engine.Params{"env": map[string]string{envIgnoreTerm: "1", envTermMarker: marker}})
	d.TerminationGracePeriod = 200 * time.Millisecond
	create(t, s, d, 1)
	in := waitObs(t, s, d.ID, "1 healthy", healthy(1)).Instances[0]
	pgid := pgidOf(t, s, d.ID, in.ID)

	start := time.Now()
	if err := s.KillInstance(context.Background(), d.ID, in.ID, engine.KillOptions{}); err != nil {
		t.Fatalf("KillInstance: %v", err)
	}
	waitUntil(t, "SIGTERM to arrive", func() bool { _, err := os.Stat(marker); return err == nil })
	if !procgroup.Alive(pgid) {
		t.Fatalf("the group died although it ignores SIGTERM and the grace period is not over")
	}
	waitUntil(t, "SIGKILL after the grace period", func() bool { return !procgroup.Alive(pgid) })
	if el := time.Since(start); el < d.TerminationGracePeriod {
		t.Errorf("group gone after %v, before the %v grace period", el, d.TerminationGracePeriod)
	}
}

func TestKillWithoutGraceIsImmediateSIGKILL(t *testing.T) {
	t.Parallel()
	s := newTestScheduler(t, nil)
	marker := filepath.Join(t.TempDir(), "got-sigterm")
	d := describe(t, engine.Params{"env": map[string]string{envTermMarker: marker}})
	create(t, s, d, 1)
	in := waitObs(t, s, d.ID, "1 healthy", healthy(1)).Instances[0]
	pgid := pgidOf(t, s, d.ID, in.ID)
	if err := s.KillInstance(context.Background(), d.ID, in.ID, engine.KillOptions{}); err != nil {
		t.Fatalf("KillInstance: %v", err)
	}
	waitUntil(t, "the group to be gone", func() bool { return !procgroup.Alive(pgid) })
	if _, err := os.Stat(marker); err == nil {
		t.Errorf("termination-grace-period-secs 0 sent SIGTERM; Waiter's shell scheduler kills with SIGKILL")
	}
}

func TestDeleteService(t *testing.T) {
	t.Parallel()
	s := newTestScheduler(t, nil)
	d := describe(t, nil)
	ctx := context.Background()
	create(t, s, d, 2)
	obs := waitObs(t, s, d.ID, "2 healthy", healthy(2))
	var pgids []int
	for _, in := range obs.Instances {
		pgids = append(pgids, pgidOf(t, s, d.ID, in.ID))
	}
	if err := s.DeleteService(ctx, d.ID); err != nil {
		t.Fatalf("DeleteService: %v", err)
	}
	if obs := observe(t, s, d.ID); obs.Exists {
		t.Fatalf("deleted service still observed: %+v", obs)
	}
	all, _ := s.Observe(ctx)
	if _, ok := all[d.ID]; ok {
		t.Fatalf("Observe still lists the deleted service")
	}
	for _, pgid := range pgids {
		waitUntil(t, "groups of the deleted service to be gone", func() bool { return !procgroup.Alive(pgid) })
	}
	waitUntil(t, "the service folder to be removed", func() bool {
		_, err := os.Stat(filepath.Join(s.cfg.WorkDir, d.ID))
		return os.IsNotExist(err)
	})
	if err := s.DeleteService(ctx, d.ID); !errors.Is(err, ErrServiceNotFound) {
		t.Errorf("second delete: %v, want ErrServiceNotFound", err)
	}
	if err := s.ScaleService(ctx, d.ID, 1, false); !errors.Is(err, ErrServiceNotFound) {
		t.Errorf("scale deleted: %v, want ErrServiceNotFound", err)
	}
}

func TestCreateService(t *testing.T) {
	t.Parallel()
	s := newTestScheduler(t, nil)
	ctx := context.Background()

	d := describe(t, nil)
	create(t, s, d, 1)
	create(t, s, d, 5) // exists: no change
	if obs := observe(t, s, d.ID); obs.Requested != 1 || obs.Scheduled != 1 {
		t.Errorf("re-creating changed the service: %+v", obs)
	}

	docker := describe(t, engine.Params{"name": "docker"})
	docker.CmdType = "docker"
	badPort := describe(t, engine.Params{"name": "badport"})
	badPort.HealthCheckPortIndex = 1
	badID := describe(t, engine.Params{"name": "badid"})
	badID.ID = "../escape"
	for name, tc := range map[string]struct {
		d *engine.Description
		n int
	}{
		"nil description":    {nil, 1},
		"cmd-type docker":    {docker, 1},
		"port index":         {badPort, 1},
		"unsafe id":          {badID, 1},
		"negative instances": {describe(t, engine.Params{"name": "neg"}), -1},
	} {
		if err := s.CreateService(ctx, tc.d, tc.n); !errors.Is(err, ErrInvalidService) {
			t.Errorf("%s: %v, want ErrInvalidService", name, err)
		}
	}

	// A launch that cannot get its ports leaves no service behind.
	greedy := describe(t, engine.Params{"name": "greedy", "ports": 10.0})
	s2 := newTestScheduler(t, func(c *Config) { c.PortRange = [2]int{c.PortRange[0], c.PortRange[0] + 4} })
	if err := s2.CreateService(ctx, greedy, 1); !errors.Is(err, ErrNoPorts) {
		t.Fatalf("create needing 10 of 5 ports: %v, want ErrNoPorts", err)
	}
	if obs := observe(t, s2, greedy.ID); obs.Exists {
		t.Errorf("failed create left the service: %+v", obs)
	}
	if err := s2.Close(); err != nil {
		t.Fatal(err)
	}
	if err := s2.CreateService(ctx, d, 1); !errors.Is(err, ErrClosed) {
		t.Errorf("create after close: %v, want ErrClosed", err)
	}
}

func TestSubscribeNotifiesWhenHealthy(t *testing.T) {
	t.Parallel()
	s := newTestScheduler(t, nil)
	sub := s.Subscribe()
	d := describe(t, nil)
	create(t, s, d, 1)
	timeout := time.After(waitTimeout)
	// Only look when notified: if the healthy transition sent nothing,
	// this would time out.
	for {
		select {
		case id := <-sub:
			if id == d.ID && healthyCount(observe(t, s, d.ID)) == 1 {
				return
			}
		case <-timeout:
			t.Fatalf("no notification showed the instance healthy")
		}
	}
}

// TestRefusesAHostThatIsNotLinux: off Linux, New says why it cannot run
// and what to use instead, rather than start instances it could never
// call healthy.
func TestRefusesAHostThatIsNotLinux(t *testing.T) {
	t.Parallel()
	err := checkHost("darwin")
	if !errors.Is(err, ErrUnsupportedPlatform) {
		t.Fatalf("checkHost(darwin) = %v, want ErrUnsupportedPlatform", err)
	}
	for _, want := range []string{"only on Linux", "darwin", "marathon or kubernetes"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not say %q", err, want)
		}
	}
	if err := checkHost("linux"); err != nil {
		t.Errorf("checkHost(linux) = %v", err)
	}
}

func TestWorkDirIsLocked(t *testing.T) {
	t.Parallel()
	s := newTestScheduler(t, nil)
	if _, err := New(Config{WorkDir: s.cfg.WorkDir}); !errors.Is(err, ErrWorkDirLocked) {
		t.Fatalf("second scheduler on one folder: %v, want ErrWorkDirLocked", err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	s2, err := New(Config{WorkDir: s.cfg.WorkDir})
	if err != nil {
		t.Fatalf("New after Close: %v", err)
	}
	_ = s2.Close()
}
