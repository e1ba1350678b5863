package cli

import (
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestTokenLifecycle drives one token through every command against a
// real router: create, show, tokens, ping (a real kitchen starts), update,
// delete refused while its service runs, kill, maintenance, delete.
func TestTokenLifecycle(t *testing.T) {
	_, kitchen := binaries(t)
	r := startRouter(t)
	env := newEnv(t)
	t.Chdir(t.TempDir()) // no ./.waiter.json here: the built-in configuration
	url := "--url=" + r.url
	me := env["USER"]

	waiterCLI(t, env, "tokens", url).want(t, 1, "There are no tokens owned by "+me)

	create := waiterCLI(t, env, "create", "web", url, "--cmd", kitchen+" -p $PORT0", "--cpus", "0.1", "--mem=64",
		"--version", "v1", "--cmd-type", "shell", "--env.GREETING", "hi", "--metadata.team", "core", "--max-instances", "2")
	create.want(t, 0, "Successfully created web on "+r.url)

	show := waiterCLI(t, env, "show", "web", url, "--json").decode(t)
	view := get(show, "clusters", r.url).(map[string]any)
	tok := view["token"].(map[string]any)
	if tok["cpus"] != 0.1 || tok["mem"] != 64.0 || tok["version"] != "v1" || tok["max-instances"] != 2.0 ||
		get(tok, "env", "GREETING") != "hi" || get(tok, "metadata", "team") != "core" || tok["owner"] != me {
		t.Errorf("token fields as typed by the flags: %v", tok)
	}
	if view["etag"] == "" || show["count"] != 1.0 {
		t.Errorf("show --json: %v", show)
	}
	waiterCLI(t, env, "show", "web", url).want(t, 0, "=== "+r.url+" / web ===", "Owner", me, "Command:\n  "+kitchen+" -p $PORT0",
		"GREETING=hi", "No running service uses this token.")

	list := waiterCLI(t, env, "tokens", url, "--json").decode(t)
	if list["count"] != 1.0 || get(list, "clusters", r.url, "tokens").([]any)[0].(map[string]any)["token"] != "web" {
		t.Errorf("tokens --json: %v", list)
	}
	waiterCLI(t, env, "tokens", url).want(t, 0, "CLUSTER", "TOKEN", "web")

	waiterCLI(t, env, "ping", "web", url, "--timeout", "60s").want(t, 0, "Pinging token web on "+r.url, "Ping successful: 200 from instance")
	running := waiterCLI(t, env, "show", "web", url)
	running.want(t, 0, "Services:", "Running")
	if !strings.Contains(running.stdout, "yes") {
		t.Errorf("the service started from the current version must say so: %s", running)
	}

	if code, body := proxy(t, r, "/hello", "web"); code != 200 || body != "Hello World" {
		t.Errorf("a request through the router: %d %q", code, body)
	}

	waiterCLI(t, env, "update", "web", url, "--version", "v2", "--env.EXTRA", "1").want(t, 0, "Successfully updated web")
	tok = get(waiterCLI(t, env, "show", "web", url, "--json").decode(t), "clusters", r.url, "token").(map[string]any)
	if tok["version"] != "v2" || get(tok, "env", "GREETING") != "hi" || get(tok, "env", "EXTRA") != "1" || tok["cmd-type"] != "shell" {
		t.Errorf("update must change only what it is given: %v", tok)
	}
	waiterCLI(t, env, "update", "web", url, "--unset", "metadata").want(t, 0, "Removed [metadata]")
	waiterCLI(t, env, "update", "web", url, "--unset", "metadata").want(t, 2, "token web has no field metadata")
	waiterCLI(t, env, "update", "nope", url, "--version", "v2").want(t, 1, "There is no token nope on "+r.url)

	waiterCLI(t, env, "delete", "web", url).want(t, 1, "1 service(s) use token web", "Stop them first: waiter kill web")
	waiterCLI(t, env, "kill", "web", url).want(t, 0, "Killed waiter-service-")
	waiterCLI(t, env, "kill", "web", url).want(t, 1, "No running service for token web")

	waiterCLI(t, env, "maintenance", "start", "web", "back at five", url).want(t, 0, "Token web is in maintenance")
	waiterCLI(t, env, "maintenance", "check", "web", url).want(t, 0, `in maintenance on `+r.url+`: "back at five"`)
	if code, body := proxy(t, r, "/closed", "web"); code != 503 || !strings.Contains(body, "back at five") {
		t.Errorf("a request to a token in maintenance: %d %s", code, body)
	}
	waiterCLI(t, env, "maintenance", "stop", "web", url, "--no-ping").want(t, 0, "Token web is out of maintenance")
	waiterCLI(t, env, "maintenance", "check", "web", url).want(t, 1, "Token web is not in maintenance")
	waiterCLI(t, env, "maintenance", "stop", "web", url, "--no-ping", "--check").want(t, 1, "not in maintenance")

	waiterCLI(t, env, "delete", "web", url).want(t, 0, "Deleted token web on "+r.url)
	waiterCLI(t, env, "show", "web", url).want(t, 1, "There is no token web on "+r.url)

	// The access log saw every call: the proxied ones with their service
	// and instance, the CLI's with their x-cid.
	entries := map[string]map[string]any{}
	log := readAll(t, r.accessLog)
	for _, l := range strings.Split(strings.TrimSpace(log), "\n") {
		var m map[string]any
		if err := json.Unmarshal([]byte(l), &m); err != nil {
			t.Fatalf("access log line is not JSON: %v: %s", err, l)
		}
		entries[m["path"].(string)] = m
	}
	hello, closed := entries["/hello"], entries["/closed"]
	if hello == nil || hello["status"] != 200.0 || !strings.HasPrefix(text(hello["service-id"]), "waiter-service-") ||
		!strings.HasPrefix(text(hello["instance-id"]), text(hello["service-id"])) || hello["get-instance-latency-ns"] == nil ||
		hello["backend-response-latency-ns"] == nil || hello["principal"] != me {
		t.Errorf("access log entry of a proxied request: %v", hello)
	}
	if closed == nil || closed["status"] != 503.0 || closed["instance-id"] != nil {
		t.Errorf("access log entry of a refused request: %v", closed)
	}
	if ping := entries["/waiter-ping"]; ping == nil || !strings.HasPrefix(text(ping["cid"]), "waiter-cli-") {
		t.Errorf("access log entry of the CLI's ping: %v", ping)
	}
}

// proxy sends GET path through the router to token's service.
func proxy(t *testing.T, r *router, path, token string) (int, string) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, r.url+path, nil)
	req.Header.Set("x-waiter-token", token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(body)
}

// TestInitThenCreate writes a token file, edits nothing, and creates the
// token from it; the dry run prints what would be sent.
func TestInitThenCreate(t *testing.T) {
	r := startRouter(t)
	env := newEnv(t)
	dir := t.TempDir()
	t.Chdir(dir)
	url := "--url=" + r.url
	waiterCLI(t, env, "init", "--file", "web.yaml", "--name", "web", "--cmd", "kitchen -p $PORT0", "--version", "v7", "--mem", "128").
		want(t, 0, "Wrote web.yaml")
	waiterCLI(t, env, "init", "--file", "web.yaml").want(t, 2, "web.yaml exists; overwrite it with --force")
	b, err := os.ReadFile(filepath.Join(dir, "web.yaml"))
	if err != nil || !strings.Contains(string(b), "version: v7") || !strings.Contains(string(b), "mem: 128") ||
		!strings.Contains(string(b), "permitted-user: '*'") {
		t.Fatalf("web.yaml: %v\n%s", err, b)
	}
	dry := waiterCLI(t, env, "create", "web", "--input", "web.yaml", "--cpus", "0.5", "--output", "-")
	dry.want(t, 0, `"token": "web"`, `"cpus": 0.5`, `"version": "v7"`)
	waiterCLI(t, env, "show", "web", url).want(t, 1) // the dry run sent nothing
	waiterCLI(t, env, "create", "web", "--input", "web.yaml", url).want(t, 0, "Successfully created web")
	tok := get(waiterCLI(t, env, "show", "web", url, "--json").decode(t), "clusters", r.url, "token").(map[string]any)
	if tok["mem"] != 128.0 || tok["name"] != "web" || tok["cpus"] != 0.1 {
		t.Errorf("token from the file: %v", tok)
	}
	waiterCLI(t, env, "create", "other", "--input", "web.yaml", "--json", "web.yaml", url).want(t, 2, "--json")
	waiterCLI(t, env, "create", "web", url).want(t, 2, "no fields to write")
	waiterCLI(t, env, "create", "web", url, "--cpus").want(t, 2, "--cpus needs a value")
}

// TestTheBinary runs the built binary once, to check what only a process
// shows: the exit status and where the output goes.
func TestTheBinary(t *testing.T) {
	waiter, _ := binaries(t)
	r := startRouter(t)
	cmd := exec.Command(waiter, "show", "missing", "--url", r.url)
	cmd.Env = append(os.Environ(), "HOME="+t.TempDir())
	var stdout, stderr strings.Builder
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	var ee *exec.ExitError
	if !errors.As(err, &ee) || ee.ExitCode() != 1 || stdout.Len() != 0 || !strings.Contains(stderr.String(), "There is no token missing") {
		t.Errorf("waiter show missing: %v, stdout %q, stderr %q; want exit 1 with the message on stderr", err, stdout.String(), stderr.String())
	}
}
