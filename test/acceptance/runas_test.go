package acceptance

import (
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/waiter-go/waiter/internal/osuser/osusertest"
)

// run-as-user is real: a token whose run-as-user an admin set runs its
// instances as that account when the router runs as root (CI does).

// runAsToken posts an admin token for kitchen run as user; a request
// naming only the token is then pre-authorized (run-as-user and
// permitted-user are both set), so the caller need not be that user.
func runAsToken(t *testing.T, rt *router, user string) map[string]string {
	t.Helper()
	token := randName(t)
	data := kitchenParams()
	data["token"], data["name"], data["run-as-user"], data["permitted-user"] = token, randName(t), user, "*"
	rt.cleanupToken(t, token)
	expectStatus(t, rt.postToken(t, data, nil, "update-mode=admin"), http.StatusOK)
	return map[string]string{"x-waiter-token": token}
}

// statusIDs reads the Uid and Gid lines of /proc/<pid>/status (real,
// effective, saved, filesystem).
func statusIDs(pid int) (uids, gids []string) {
	b, _ := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/status")
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "Uid:"); ok {
			uids = strings.Fields(v)
		}
		if v, ok := strings.CutPrefix(line, "Gid:"); ok {
			gids = strings.Fields(v)
		}
	}
	return uids, gids
}

func TestTokenRunAsUserRunsTheInstanceAsThatUser(t *testing.T) {
	osusertest.RequireRoot(t)
	t.Parallel()
	rt := sharedRouter(t)
	alice := osusertest.NewUser(t)
	h := runAsToken(t, rt, alice.Name)
	id := rt.serviceIDOf(t, h)
	// Registered after the account, so it runs before the account goes:
	// the service and every process of it must be gone first.
	t.Cleanup(func() {
		rt.deleteService(t, id)
		waitFor(t, "the service's processes to stop", 30*time.Second, 20*time.Millisecond, func() (bool, string) {
			left := processesUnder(filepath.Join(rt.workDir, id))
			return len(left) == 0, fmt.Sprint(left)
		})
	})

	r := rt.request(http.MethodPost, "/environment", map[string]string{"x-waiter-token": h["x-waiter-token"],
		"x-waiter-debug": "true"}, nil) // debug: x-waiter-backend-id names the instance
	expectStatus(t, r, http.StatusOK)
	var env map[string]string
	r.json(t, &env)
	if env["USER"] != alice.Name || env["HOME"] != alice.Home {
		t.Errorf("kitchen's USER=%q HOME=%q, want %s and %s", env["USER"], env["HOME"], alice.Name, alice.Home)
	}

	// The instance that answered, by its record in the scheduler's folder.
	var pid int
	for _, rec := range instanceRecords(rt.workDir) {
		if rec.InstanceID == r.instanceID() {
			pid = rec.PID
		}
	}
	if pid == 0 {
		t.Fatalf("no instance record of %s under %s", r.instanceID(), rt.workDir)
	}
	uid, gid := strconv.Itoa(int(alice.UID)), strconv.Itoa(int(alice.GID))
	if uids, gids := statusIDs(pid); len(uids) != 4 || len(gids) != 4 ||
		strings.Count(strings.Join(uids, " "), uid) != 4 || strings.Count(strings.Join(gids, " "), gid) != 4 {
		t.Errorf("instance pid %d runs with uids %v gids %v, want %s's %s and %s", pid, uids, gids, alice.Name, uid, gid)
	}
}

// A run-as-user the host does not know fails the request at once with a
// 503 that says so, not after the queue timeout.
func TestTokenRunAsUnknownUserIsADeploymentError(t *testing.T) {
	t.Parallel()
	rt := sharedRouter(t)
	name := osusertest.FreshName()
	h := runAsToken(t, rt, name)
	rt.cleanupService(t, rt.serviceIDOf(t, h))
	r := rt.request(http.MethodPost, "/endpoint", h, nil)
	expectStatus(t, r, http.StatusServiceUnavailable)
	expectBody(t, r, "Deployment error: run-as-user "+name+" does not exist on this host")
}
