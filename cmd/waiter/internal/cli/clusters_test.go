package cli

import (
	"os"
	"path/filepath"
	"testing"
)

// TestConfiguredClusters uses a configuration file with a live router
// and one that is down: reads go to every enabled cluster and say which
// could not be reached; a new token goes to the default-for-create one;
// naming the dead one fails with exit 3; a name not configured is a
// usage error.
func TestConfiguredClusters(t *testing.T) {
	r := startRouter(t)
	down := closedPort(t)
	dir := t.TempDir()
	cfg := filepath.Join(dir, ".waiter.json")
	if err := os.WriteFile(cfg, []byte(`{"clusters": [
  {"name": "dev", "url": "`+r.url+`/", "default-for-create": true},
  {"name": "down", "url": "`+down+`"},
  {"name": "off", "url": "http://127.0.0.1:1", "disabled": true}
]}`), 0o600); err != nil {
		t.Fatal(err)
	}
	env := newEnv(t)
	t.Chdir(dir) // ./.waiter.json is found without --config

	waiterCLI(t, env, "create", "web", "--cmd", "kitchen -p $PORT0", "--cpus", "0.1", "--mem", "64", "--version", "v1").
		want(t, 0, "warning: cannot reach cluster down at http://"+down, "Successfully created web on dev")
	waiterCLI(t, env, "show", "web").want(t, 0, "warning: cannot reach cluster down", "=== dev / web ===")
	waiterCLI(t, env, "update", "web", "--version", "v2").want(t, 0, "Successfully updated web on dev")
	waiterCLI(t, env, "show", "web", "--cluster", "down").want(t, exitUnreachable, "cannot reach cluster down")
	waiterCLI(t, env, "show", "web", "--cluster", "prod").want(t, exitUsage, `no cluster named "prod" in .waiter.json; configured: dev, down, off`)
	waiterCLI(t, env, "show", "web", "--cluster", "dev", "--url", r.url).want(t, exitUsage, "not both")
	waiterCLI(t, env, "show", "web", "--config", filepath.Join(dir, "nope.yaml")).want(t, exitUsage, "nope.yaml")

	// The same router under a second name: the token is on "both", so a
	// change must say which.
	if err := os.WriteFile(cfg, []byte(`{"clusters": [{"name": "a", "url": "`+r.url+`"}, {"name": "b", "url": "`+r.url+`"}]}`), 0o600); err != nil {
		t.Fatal(err)
	}
	waiterCLI(t, env, "update", "web", "--version", "v3").want(t, exitUsage, "token web is on several clusters (a, b); pick one with --cluster")
	waiterCLI(t, env, "delete", "web").want(t, exitUsage, "--force")
	waiterCLI(t, env, "create", "fresh", "--cmd", "x", "--cpus", "1", "--mem", "64", "--version", "1").
		want(t, exitUsage, "several clusters are enabled (a / b): pick one with --cluster, or mark one default-for-create: true")
	waiterCLI(t, env, "update", "web", "--version", "v3", "--cluster", "b").want(t, 0, "Successfully updated web on b")
}
