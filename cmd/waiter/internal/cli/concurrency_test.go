package cli

import (
	"net/http"
	"strings"
	"testing"
)

// TestStaleWritesAreRefused changes the token between the command's read
// and its write: the write carries the ETag it read (If-Match), the
// router refuses it with 412, and nothing of the command's is written.
func TestStaleWritesAreRefused(t *testing.T) {
	r := startRouter(t)
	env := newEnv(t)
	url := "--url=" + r.url
	waiterCLI(t, env, "create", "web", url, "--cmd", "kitchen -p $PORT0", "--cpus", "0.1", "--mem", "64", "--version", "v1").want(t, 0)

	meanwhile := func(version string) func() {
		return func() {
			body := `{"cmd": "kitchen -p $PORT0", "cpus": 0.1, "mem": 64, "version": "` + version + `"}`
			resp, err := http.Post(r.url+"/token?token=web", "application/json", strings.NewReader(body))
			if err != nil {
				t.Error(err)
				return
			}
			resp.Body.Close()
			if resp.StatusCode != 200 {
				t.Errorf("the concurrent write: %d", resp.StatusCode)
			}
		}
	}
	for _, args := range [][]string{
		{"update", "web", url, "--version", "mine"},
		{"create", "web", url, "--cmd", "x", "--cpus", "1", "--mem", "64", "--version", "mine"},
		{"maintenance", "start", "web", "down", url},
	} {
		res := waiterWith(t, env, Options{BeforeWrite: meanwhile("theirs-" + args[0])}, args...)
		res.want(t, 1, "Token web changed on "+r.url+" after it was read", "Run the command again")
		tok := get(waiterCLI(t, env, "show", "web", url, "--json").decode(t), "clusters", r.url, "token").(map[string]any)
		if tok["version"] != "theirs-"+args[0] || tok["maintenance"] != nil {
			t.Errorf("%v: the other writer's version must stand: %v", args, tok)
		}
	}
	res := waiterWith(t, env, Options{BeforeWrite: meanwhile("theirs-delete")}, "delete", "web", url)
	res.want(t, 1, "Token web changed on "+r.url+" after it was read: not deleted")
	waiterCLI(t, env, "show", "web", url).want(t, 0, "theirs-delete")
}
