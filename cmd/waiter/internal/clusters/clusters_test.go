package clusters

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func env(kv map[string]string) Env { return func(k string) string { return kv[k] } }

// waiterJSON is the sample .waiter.json of Waiter's CLI.
const waiterJSON = `{
  "clusters": [
    {"name": "WAITER1", "url": "http://127.0.0.1:9091/", "disabled": false, "default-for-create": true},
    {"name": "WAITER2", "url": "http://127.0.0.1:9191/", "disabled": true}
  ],
  "additional-clusters": [{"name": "mine", "url": "localhost:9300"}],
  "http": {"retries": 2, "connect-timeout": 3.05, "read-timeout": 20},
  "metrics": {"disabled": true, "host": "localhost", "port": 8125}
}`

func TestDecodeReadsWaitersFile(t *testing.T) {
	cfg, err := Decode(strings.NewReader(waiterJSON))
	if err != nil {
		t.Fatal(err)
	}
	if len(cfg.Clusters) != 3 || cfg.Clusters[0].Name != "mine" || cfg.Clusters[0].URL != "http://localhost:9300" ||
		cfg.Clusters[1].URL != "http://127.0.0.1:9091" || !cfg.Clusters[1].DefaultForCreate || !cfg.Clusters[2].Disabled {
		t.Errorf("clusters %+v: want additional-clusters first, URLs normalized", cfg.Clusters)
	}
	if cfg.Timeout != 20*time.Second {
		t.Errorf("timeout %v, want read-timeout 20 s", cfg.Timeout)
	}
}

func TestDecodeNamesEveryProblem(t *testing.T) {
	_, err := Decode(strings.NewReader(`clusters:
  - {name: a, url: "ftp://x"}
  - {url: "http://b"}
  - {name: A, url: "http://c", kerberos: sometimes}
`))
	for _, want := range []string{`clusters[0] (a): url "ftp://x" must look like http://host:port`, "clusters[1]: name is missing",
		`clusters[2]: name "A" appears twice`, `kerberos must be auto, always or never (got "sometimes")`} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("want %q in %v", want, err)
		}
	}
	if _, err := Decode(strings.NewReader("clusters: []\nclustres: []\n")); err == nil || !strings.Contains(err.Error(), "clustres") {
		t.Errorf("a misspelt key must be refused: %v", err)
	}
	if _, err := Decode(strings.NewReader("")); err == nil || !strings.Contains(err.Error(), "lists no cluster") {
		t.Errorf("an empty file: %v", err)
	}
}

func TestLoadOrder(t *testing.T) {
	home := t.TempDir()
	t.Chdir(t.TempDir()) // no ./.waiter.json
	e := env(map[string]string{"HOME": home})
	cfg, err := Load("", e)
	if err != nil || cfg.Path != "" || len(cfg.Clusters) != 1 || cfg.Clusters[0] != Local {
		t.Fatalf("no file: want the local router, got %+v %v", cfg, err)
	}
	write := func(p, s string) {
		t.Helper()
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(s), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	legacy := filepath.Join(home, ".waiter.json")
	write(legacy, `{"clusters": [{"name": "legacy", "url": "http://l:1"}]}`)
	if cfg, _ := Load("", e); cfg.Path != legacy {
		t.Errorf("want ~/.waiter.json, got %q", cfg.Path)
	}
	xdg := filepath.Join(home, ".config", "waiter", "config.yaml")
	write(xdg, "clusters:\n  - name: xdg\n    url: http://x:1\n")
	if cfg, _ := Load("", e); cfg.Path != xdg {
		t.Errorf("want ~/.config/waiter/config.yaml before ~/.waiter.json, got %q", cfg.Path)
	}
	write(".waiter.json", `{"clusters": [{"name": "here", "url": "http://h:1"}]}`)
	if cfg, _ := Load("", e); cfg.Path != ".waiter.json" {
		t.Errorf("want ./.waiter.json first, got %q", cfg.Path)
	}
	named := filepath.Join(home, "other.yaml")
	write(named, "clusters: [{name: named, url: 'http://n:1'}]\n")
	if cfg, _ := Load("", env(map[string]string{"HOME": home, "WAITER_CONFIG": named})); cfg.Path != named {
		t.Errorf("want $WAITER_CONFIG, got %q", cfg.Path)
	}
	if _, err := Load(filepath.Join(home, "missing.yaml"), e); err == nil || !strings.Contains(err.Error(), "missing.yaml") {
		t.Errorf("a named file that is missing must be an error: %v", err)
	}
}

func TestSelect(t *testing.T) {
	cfg, err := Decode(strings.NewReader(waiterJSON))
	if err != nil {
		t.Fatal(err)
	}
	got, explicit, err := cfg.Select("", "")
	if err != nil || explicit || len(got) != 2 || got[0].Name != "mine" || got[1].Name != "WAITER1" {
		t.Errorf("enabled clusters: %+v %v %v", got, explicit, err)
	}
	if got, explicit, err := cfg.Select("waiter2", ""); err != nil || !explicit || len(got) != 1 || got[0].Name != "WAITER2" {
		t.Errorf("--cluster picks a disabled one by name, any case: %+v %v", got, err)
	}
	if got, _, err := cfg.Select("", "127.0.0.1:7000/"); err != nil || got[0].URL != "http://127.0.0.1:7000" {
		t.Errorf("--url: %+v %v", got, err)
	}
	if _, _, err := cfg.Select("nope", ""); err == nil || !strings.Contains(err.Error(), "configured: mine, WAITER1, WAITER2") {
		t.Errorf("unknown cluster: %v", err)
	}
	if _, _, err := cfg.Select("mine", "http://x"); err == nil || !strings.Contains(err.Error(), "not both") {
		t.Errorf("both: %v", err)
	}
}
