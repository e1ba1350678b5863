package fakemarathon_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"reflect"
	"slices"
	"sort"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	gomarathon "github.com/gambol99/go-marathon"
	yaml "go.yaml.in/yaml/v3"

	"github.com/waiter-go/waiter/internal/fakemarathon"
	"github.com/waiter-go/waiter/sim/marathon"
)

// fixture is one entry of go-marathon's methods.yml.
type fixture struct {
	URI             string `yaml:"uri"`
	Method          string `yaml:"method"`
	Content         string `yaml:"content"`
	Scope           string `yaml:"scope"`
	ContentSequence []struct {
		Index   int    `yaml:"index"`
		Content string `yaml:"content"`
	} `yaml:"contentSequence"`
}

func loadFixtures(t *testing.T) []fixture {
	t.Helper()
	b, err := os.ReadFile("testdata/go-marathon-v0.7.1-methods.yml")
	if err != nil {
		t.Fatal(err)
	}
	var fs []fixture
	if err := yaml.Unmarshal(b, &fs); err != nil {
		t.Fatal(err)
	}
	return fs
}

// unsupported are the entries the simulated Marathon refuses on purpose,
// with the status it answers and why.
var unsupported = map[string]struct {
	status int
	why    string
}{
	"PUT /v2/groups/:groupId":    {404, "group changes are not simulated (go-marathon's tests never hit this literal URI either)"},
	"DELETE /v2/groups/:groupId": {404, "group changes are not simulated (go-marathon's tests never hit this literal URI either)"},
	"POST /v2/eventSubscriptions?callbackUrl=http://localhost:9292/callback": {400, "a Marathon 1.4 without --event_subscriber http_callback: use /v2/events"},
	"POST /v2/eventSubscriptions":                                            {400, "a Marathon 1.4 without --event_subscriber http_callback: use /v2/events"},
	"GET /v2/eventSubscriptions":                                             {400, "a Marathon 1.4 without --event_subscriber http_callback: use /v2/events"},
	"DELETE /v2/eventSubscriptions?callbackUrl=http://localhost:9292/callback": {400,
		"a Marathon 1.4 without --event_subscriber http_callback: use /v2/events"},
}

// deviations are key paths the fixtures have and the simulator leaves
// out (or sends as null) on purpose, by route, with the reason.
// A key covers its whole subtree.
var deviations = map[string]map[string]string{
	"GET /v2/info": {
		"event_subscriber": "Marathon 1.4 sends event_subscriber: null without a callback subscriber",
	},
	"GET /v2/apps/fake-app/versions/{version}": {
		"tasks":           "Marathon 1.4 answers a version with the definition alone; the 0.7-era fixture adds tasks",
		"tasksRunning":    "Marathon 1.4 answers a version with the definition alone; the 0.7-era fixture adds counts",
		"lastTaskFailure": "Marathon 1.4 answers a version with the definition alone; the 0.7-era fixture adds lastTaskFailure",
	},
	"GET /v2/apps/fake-app-broken": {
		"app.tasks[].healthCheckResults[].firstSuccess": "null: the simulated task never passed a check (the recorded one did, then failed)",
		"app.tasks[].healthCheckResults[].lastSuccess":  "null: the simulated task never passed a check (the recorded one did, then failed)",
	},
}

// deviates reports whether key path p is a documented deviation.
func deviates(allowed map[string]string, p string) bool {
	for k := range allowed {
		if p == k || strings.HasPrefix(p, k+".") || strings.HasPrefix(p, k+"[]") {
			return true
		}
	}
	return false
}

// TestConformanceWithGoMarathonFixtures replays every request of
// go-marathon v0.7.1's fixtures against a simulated Marathon seeded so the
// request means something, and checks that each answer decodes into
// go-marathon's type with at least the keys the recorded answer has (the
// keys go-marathon decodes, with compatible JSON types).
func TestConformanceWithGoMarathonFixtures(t *testing.T) {
	var checked, refused atomic.Int32
	t.Run("entries", func(t *testing.T) {
		for i, f := range loadFixtures(t) {
			key := f.Method + " " + f.URI
			t.Run(fmt.Sprintf("%02d %s %s", i, key, f.Scope), func(t *testing.T) {
				t.Parallel()
				if u, ok := unsupported[key]; ok {
					refusedEntry(t, f, u.status, u.why)
					refused.Add(1)
					return
				}
				replay(t, f)
				checked.Add(1)
			})
		}
	})
	t.Logf("fixture entries: %d replayed and matched, %d refused on purpose (4xx, documented)", checked.Load(), refused.Load())
}

func refusedEntry(t *testing.T, f fixture, status int, why string) {
	_, url := newServer(t, nil)
	got, body := call(t, f.Method, url+f.URI, nil)
	if got != status {
		t.Fatalf("status %d %s, want %d (%s)", got, body, status, why)
	}
	var e struct{ Message string }
	if json.Unmarshal(body, &e) != nil || e.Message == "" {
		t.Fatalf("error body %s is not {\"message\": ...}", body)
	}
	t.Logf("refused with %d: %s", got, why)
}

// replay seeds a server for f, sends f's request and compares the answer.
func replay(t *testing.T, f fixture) {
	content := f.Content
	if len(f.ContentSequence) > 0 {
		content = f.ContentSequence[len(f.ContentSequence)-1].Content
	}
	path, _, _ := strings.Cut(f.URI, "?")
	path = strings.TrimPrefix(path, "/marathon")
	queued := strings.HasPrefix(path, "/v2/queue")
	s, url := newServer(t, func(c *fakemarathon.Config) {
		c.BackoffSeconds = 600 // a failed app stays in the launch queue
		c.Behavior = func(id string) marathon.Behavior {
			switch {
			case queued:
				return marathon.Behavior{ExitCode: 1}
			case id == "fake-app-broken":
				return marathon.Behavior{NeverHealthy: true}
			}
			return marathon.Behavior{}
		}
	})
	c := client(t, url)

	// Seed the apps the recorded answer shows and the apps the URI names.
	var doc any
	isJSON := json.Unmarshal([]byte(content), &doc) == nil
	seeds := map[string]map[string]any{}
	if isJSON && !(f.Method == http.MethodPost && path == "/v2/apps") {
		collectApps(doc, "", strings.Contains(path, "/versions/"), seeds)
	}
	for _, id := range namedApps(path) {
		if seeds[id] == nil {
			seeds[id] = defaultDef(id)
		}
	}
	ids := make([]string, 0, len(seeds))
	for id := range seeds {
		ids = append(ids, id)
		if st, body := call(t, http.MethodPost, url+"/v2/apps", seeds[id]); st != http.StatusCreated {
			t.Fatalf("seeding %s: %d %s", id, st, body)
		}
	}
	sort.Strings(ids)
	settle(t, c, url, ids, queued)
	if isJSON && strings.Contains(content, `"lastTaskFailure"`) {
		// The recorded app has failed before: make one of ours fail.
		for _, id := range namedApps(path) {
			if err := s.FailTask(firstTask(t, c, id), 1); err != nil {
				t.Fatal(err)
			}
		}
	}

	uri, body := f.URI, any(nil)
	uri = substitute(t, s, c, uri)
	switch {
	case f.Method == http.MethodPost && path == "/v2/apps":
		body = stripReadOnly(doc.(map[string]any))
	case f.Method == http.MethodPut:
		body = map[string]any{"id": "/fake-app", "instances": 3, "ports": nil, "dependencies": nil}
	case path == "/v2/tasks/delete":
		body = map[string]any{"ids": []string{firstTask(t, c, "/fake-app")}}
	case f.Method == http.MethodPost:
		body = map[string]any{}
	}
	status, got := call(t, f.Method, url+uri, body)
	want := http.StatusOK
	switch {
	case f.Method == http.MethodPost && path == "/v2/apps":
		want = http.StatusCreated
	case strings.HasSuffix(path, "/delay"):
		want = http.StatusNoContent
	}
	if status != want {
		t.Fatalf("%s %s: status %d %s, want %d", f.Method, uri, status, got, want)
	}
	if !isJSON {
		if strings.TrimSpace(content) != "" && !strings.Contains(string(got), strings.TrimSpace(content)) {
			t.Fatalf("body %q, want %q", got, content)
		}
		return
	}
	target := targetOf(f.Method, path)
	if target == nil {
		t.Fatalf("no go-marathon type for %s %s", f.Method, path)
	}
	compare(t, f.Method+" "+routeOf(path), content, got, target)
}

// collectApps finds app definitions in a recorded answer: elements of
// "apps" arrays, values of "app", a bare app (top), with ids made
// absolute against their group.
func collectApps(v any, group string, top bool, out map[string]map[string]any) {
	switch x := v.(type) {
	case []any:
		for _, e := range x {
			collectApps(e, group, false, out)
		}
	case map[string]any:
		if top {
			addApp(x, group, out)
		}
		if id, ok := x["id"].(string); ok && (x["groups"] != nil || x["apps"] != nil) {
			group = resolve(id, group)
		}
		for k, e := range x {
			switch k {
			case "apps":
				for _, a := range asList(e) {
					if m, ok := a.(map[string]any); ok {
						addApp(m, group, out)
					}
				}
			case "app":
				if m, ok := e.(map[string]any); ok {
					addApp(m, group, out)
				}
			case "groups", "queue":
				collectApps(e, group, false, out)
			}
		}
	}
}

func asList(v any) []any { l, _ := v.([]any); return l }

func resolve(id, group string) string {
	if strings.HasPrefix(id, "/") {
		return strings.TrimSuffix(id, "/")
	}
	return group + "/" + id
}

// addApp adds a recorded app as a definition to create.
func addApp(m map[string]any, group string, out map[string]map[string]any) {
	def := stripReadOnly(m)
	id, _ := def["id"].(string)
	if id == "" {
		id = "/nginx" // the ?cmd=nginx answer is trimmed to cmd and args
	}
	id = resolve(id, group)
	def["id"] = id
	if def["cmd"] == nil && def["args"] == nil && def["container"] == nil {
		def["cmd"] = "sleep 1000" // trimmed answers
	}
	for k, v := range map[string]any{"cpus": 0.1, "mem": 32.0} {
		if def[k] == nil {
			def[k] = v
		}
	}
	out[id] = def
}

func stripReadOnly(m map[string]any) map[string]any {
	out := map[string]any{}
	for k, v := range m {
		switch k {
		case "tasks", "tasksRunning", "tasksStaged", "tasksHealthy", "tasksUnhealthy", "deployments",
			"lastTaskFailure", "taskStats", "version", "versionInfo":
			continue
		}
		out[k] = v
	}
	return out
}

func defaultDef(id string) map[string]any {
	return map[string]any{"id": id, "cmd": "sleep 1000", "cpus": 0.1, "mem": 32, "instances": 2,
		"healthChecks": []map[string]any{{"protocol": "HTTP", "path": "/health", "intervalSeconds": 10,
			"gracePeriodSeconds": 5, "timeoutSeconds": 5, "maxConsecutiveFailures": 3}}}
}

// namedApps lists the apps a URI needs.
func namedApps(path string) []string {
	switch {
	case strings.HasPrefix(path, "/v2/apps/"):
		rest := strings.TrimPrefix(path, "/v2/apps/")
		for _, suffix := range []string{"/tasks/", "/tasks", "/versions/", "/versions", "/restart"} {
			if i := strings.LastIndex(rest, suffix); i >= 0 {
				rest = rest[:i]
				break
			}
		}
		return []string{"/" + rest}
	case strings.HasPrefix(path, "/v2/queue/"):
		return []string{"/fake-app"}
	case path == "/v2/tasks" || path == "/v2/tasks/delete":
		return []string{"/fake-app"}
	case strings.HasPrefix(path, "/v2/deployments"):
		return []string{"/test"}
	}
	return nil
}

// settle waits until every seeded app runs its tasks with health results
// (or, for the launch queue, has failed into it).
func settle(t *testing.T, c gomarathon.Marathon, url string, ids []string, queued bool) {
	t.Helper()
	until(t, "seeded apps to settle", func() bool {
		if queued {
			q, err := c.Queue()
			return err == nil && len(q.Items) == len(ids)
		}
		for _, id := range ids {
			a, err := c.Application(id)
			if err != nil || a.Instances == nil || len(a.Tasks) != *a.Instances {
				return false
			}
			for _, tk := range a.Tasks {
				if tk.State != "TASK_RUNNING" || (a.HealthChecks != nil && len(*a.HealthChecks) > 0 && len(tk.HealthCheckResults) == 0) {
					return false
				}
			}
			if id != "/fake-app-broken" && len(a.Deployments) > 0 {
				return false
			}
		}
		return true
	})
}

// substitute replaces the fixture's made-up ids with live ones.
func substitute(t *testing.T, s *fakemarathon.Server, c gomarathon.Marathon, uri string) string {
	t.Helper()
	if strings.Contains(uri, "fake-group_fake-app.fake-task") {
		uri = strings.Replace(uri, "fake-group_fake-app.fake-task", firstTask(t, c, "/fake-group/fake-app"), 1)
	} else if strings.Contains(uri, "fake-app.fake-task") {
		uri = strings.Replace(uri, "fake-app.fake-task", firstTask(t, c, "/fake-app"), 1)
	}
	if strings.Contains(uri, "/versions/2014-") {
		vs, err := c.ApplicationVersions("/fake-app")
		if err != nil {
			t.Fatal(err)
		}
		i := strings.Index(uri, "/versions/")
		uri = uri[:i] + "/versions/" + vs.Versions[0]
	}
	if strings.HasPrefix(uri, "/v2/deployments") {
		id, err := s.HoldDeployment("/test", time.Hour)
		if err != nil {
			t.Fatal(err)
		}
		if strings.HasPrefix(uri, "/v2/deployments/") {
			uri = "/v2/deployments/" + id
		}
	}
	return uri
}

func firstTask(t *testing.T, c gomarathon.Marathon, app string) string {
	t.Helper()
	ts, err := c.Tasks(app)
	if err != nil || len(ts.Tasks) == 0 {
		t.Fatalf("tasks of %s: %v", app, err)
	}
	return ts.Tasks[0].ID
}

// routeOf names a path's route for the deviation table.
func routeOf(path string) string {
	if i := strings.Index(path, "/versions/"); i >= 0 {
		return path[:i] + "/versions/{version}"
	}
	return path
}

// targetOf is the go-marathon type an answer decodes into.
func targetOf(method, path string) func() any {
	app := func() any {
		return &struct {
			App gomarathon.Application `json:"app"`
		}{}
	}
	switch {
	case path == "/v2/apps" && method == http.MethodGet:
		return func() any { return &gomarathon.Applications{} }
	case path == "/v2/apps" && method == http.MethodPost:
		return func() any { return &gomarathon.Application{} }
	case strings.Contains(path, "/versions/"):
		return func() any { return &gomarathon.Application{} }
	case strings.HasSuffix(path, "/versions"):
		return func() any { return &gomarathon.ApplicationVersions{} }
	case strings.Contains(path, "/tasks/") && strings.HasPrefix(path, "/v2/apps/"):
		return func() any {
			return &struct {
				Task gomarathon.Task `json:"task"`
			}{}
		}
	case strings.HasSuffix(path, "/tasks") || path == "/v2/tasks":
		return func() any { return &gomarathon.Tasks{} }
	case strings.HasSuffix(path, "/restart") || strings.HasPrefix(path, "/v2/deployments/"),
		strings.HasPrefix(path, "/v2/apps/") && method != http.MethodGet:
		return func() any { return &gomarathon.DeploymentID{} }
	case strings.HasPrefix(path, "/v2/apps/"):
		return app
	case path == "/v2/groups":
		return func() any { return &gomarathon.Groups{} }
	case strings.HasPrefix(path, "/v2/groups/"):
		return func() any { return &gomarathon.Group{} }
	case path == "/v2/deployments":
		return func() any { return &[]*gomarathon.Deployment{} }
	case path == "/v2/queue":
		return func() any { return &gomarathon.Queue{} }
	case path == "/v2/info":
		return func() any { return &gomarathon.Info{} }
	case path == "/v2/leader":
		return func() any {
			return &struct {
				Leader  string `json:"leader"`
				Message string `json:"message"`
			}{}
		}
	}
	return nil
}

// compare checks that ours decodes into target and has every key path
// the recorded answer has and go-marathon decodes, with a compatible type.
func compare(t *testing.T, route, recorded string, ours []byte, target func() any) {
	t.Helper()
	if err := json.Unmarshal(ours, target()); err != nil {
		t.Fatalf("answer does not decode into go-marathon's %T: %v\n%s", target(), err, ours)
	}
	var rec, got any
	if err := json.Unmarshal([]byte(recorded), &rec); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(ours, &got); err != nil {
		t.Fatal(err)
	}
	// What go-marathon decodes of the recorded answer: decode, encode.
	tv := target()
	if err := json.Unmarshal([]byte(recorded), tv); err != nil {
		t.Fatalf("the recorded answer does not decode into %T: %v", tv, err)
	}
	rt, _ := json.Marshal(tv)
	var round any
	_ = json.Unmarshal(rt, &round)
	recPaths, roundPaths, ourPaths := paths(rec), paths(round), paths(got)
	allowed := deviations[route]
	var missing, mismatched []string
	n := 0
	for p, kind := range recPaths {
		if _, decoded := roundPaths[p]; !decoded || strings.Contains(p, "steps") {
			continue // go-marathon ignores it (steps: it accepts every format, checked in TestGoMarathonMethods)
		}
		n++
		if deviates(allowed, p) {
			continue
		}
		o, ok := ourPaths[p]
		switch {
		case !ok:
			missing = append(missing, p)
		case kind != "null" && o != kind:
			mismatched = append(mismatched, fmt.Sprintf("%s: recorded %s, ours %s", p, kind, o))
		}
	}
	slices.Sort(missing)
	slices.Sort(mismatched)
	if len(missing)+len(mismatched) > 0 {
		t.Fatalf("%s: missing keys %v; type mismatches %v\nours: %s", route, missing, mismatched, ours)
	}
	t.Logf("%d recorded key paths present with compatible types (%d in our answer)", n, len(ourPaths))
}

// paths maps every key path of a JSON value ("apps[].tasks[].id") to its
// JSON type.
func paths(v any) map[string]string {
	out := map[string]string{}
	var walk func(v any, p string)
	walk = func(v any, p string) {
		if p != "" {
			k := kindOf(v)
			if prev, ok := out[p]; !ok || prev == "null" {
				out[p] = k
			}
		}
		switch x := v.(type) {
		case map[string]any:
			for k, e := range x {
				if p == "" {
					walk(e, k)
				} else {
					walk(e, p+"."+k)
				}
			}
		case []any:
			for _, e := range x {
				walk(e, p+"[]")
			}
		}
	}
	walk(v, "")
	return out
}

func kindOf(v any) string {
	if v == nil {
		return "null"
	}
	switch reflect.TypeOf(v).Kind() {
	case reflect.Map:
		return "object"
	case reflect.Slice:
		return "array"
	case reflect.Float64:
		return "number"
	case reflect.Bool:
		return "bool"
	}
	return "string"
}
