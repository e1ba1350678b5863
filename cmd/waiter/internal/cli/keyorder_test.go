package cli

import (
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// A token's env order is part of its service id (Waiter prints small maps
// in insertion order): the command line keeps the order of a JSON file it
// creates a token from, and edits that read the token and post it back
// (maintenance start and stop, update of other fields) keep the order, so
// the service the token runs keeps its id.
func TestTokenEditsKeepKeyOrder(t *testing.T) {
	r := startRouter(t)
	env := newEnv(t)
	dir := t.TempDir()
	t.Chdir(dir)
	url := "--url=" + r.url
	doc := func(token, env string) string {
		return `{"token":"` + token + `","cmd":"kitchen -p $PORT0","cpus":0.1,"mem":64,"version":"v1","cmd-type":"shell","env":` + env + `}`
	}
	post := func(body string) {
		t.Helper()
		resp, err := http.Post(r.url+"/token", "application/json", strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("POST /token: %d %s", resp.StatusCode, b)
		}
	}
	serviceID := func(token string) string {
		t.Helper()
		req, _ := http.NewRequest(http.MethodGet, r.url+"/service-id", nil)
		req.Header.Set("x-waiter-token", token)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("/service-id of %s: %d %s", token, resp.StatusCode, b)
		}
		return strings.TrimSpace(string(b))
	}
	post(doc("zeta-first", `{"ZETA":"1","ALPHA":"2"}`))
	post(doc("sorted", `{"ALPHA":"2","ZETA":"1"}`))
	want, sorted := serviceID("zeta-first"), serviceID("sorted")
	if want == sorted {
		t.Fatalf("the env order does not change the id (%s): the test proves nothing", want)
	}

	if err := os.WriteFile(filepath.Join(dir, "web.json"), []byte(doc("web", `{"ZETA":"1","ALPHA":"2"}`)), 0o644); err != nil {
		t.Fatal(err)
	}
	waiterCLI(t, env, "create", "--json", "web.json", url).want(t, 0, "Successfully created web")
	if id := serviceID("web"); id != want {
		t.Fatalf("created from the file: service id %s, want %s (the file's order; sorted gives %s)", id, want, sorted)
	}
	for _, step := range [][]string{
		{"maintenance", "start", "web", "back soon", "--no-kill"},
		{"maintenance", "stop", "web", "--no-ping"},
		{"update", "web", "--fallback-period-secs", "5"},
	} {
		waiterCLI(t, env, append(step, url)...).want(t, 0)
		if step[1] == "start" {
			continue // a token in maintenance has no service id to ask for (503)
		}
		if id := serviceID("web"); id != want {
			t.Errorf("after %v: service id %s, want %s", step, id, want)
		}
	}
}
