package browsertest

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// The browser tests' "no problems" is only worth something if a page's
// problems are seen: a console error, an uncaught exception, a request for
// something else and its failure all show up.
func TestPageRecordsWhatWentWrong(t *testing.T) {
	dir := t.TempDir()
	missing := filepath.Join(dir, "missing.png")
	page := filepath.Join(dir, "bad.html")
	html := `<!DOCTYPE html><html><head><title>bad</title></head><body>
<img src="file://` + missing + `">
<script>console.log("fine"); console.error("boom", 42);</script>
<script>window.answer = {n: 41 + 1, s: "x"}; throw new Error("bang");</script>
</body></html>`
	if err := os.WriteFile(page, []byte(html), 0o644); err != nil {
		t.Fatal(err)
	}
	good := filepath.Join(dir, "good.html")
	if err := os.WriteFile(good, []byte(`<!DOCTYPE html><title>good</title><p>fine</p><script>console.log("ok")</script>`), 0o644); err != nil {
		t.Fatal(err)
	}

	b := Start(t)
	p := b.Open(t, "file://"+page)
	probs := strings.Join(p.Problems(), "\n")
	for _, want := range []string{"console.error: \"boom\"", "42", "bang"} {
		if !strings.Contains(probs, want) {
			t.Errorf("problems lack %q:\n%s", want, probs)
		}
	}
	if strings.Contains(probs, "fine") {
		t.Errorf("console.log is not a problem:\n%s", probs)
	}
	reqs := p.Requests()
	if len(reqs) != 2 || reqs[0] != p.URL || reqs[1] != "file://"+missing {
		t.Errorf("requests %q, want the page, then the missing image", reqs)
	}
	got := Eval[struct {
		N int    `json:"n"`
		S string `json:"s"`
	}](p, "window.answer")
	if got.N != 42 || got.S != "x" {
		t.Errorf("eval: %+v", got)
	}

	q := b.Open(t, "file://"+good)
	if probs := q.Problems(); len(probs) != 0 {
		t.Errorf("a clean page has problems: %q", probs)
	}
	if reqs := q.Requests(); len(reqs) != 1 || reqs[0] != q.URL {
		t.Errorf("a clean page's requests %q", reqs)
	}
}

func TestMissingBrowserIsAClearError(t *testing.T) {
	t.Setenv("CHROMIUM", filepath.Join(t.TempDir(), "no-such-chromium"))
	_, err := findChromium()
	if err == nil || !strings.Contains(err.Error(), "executable file not found") && !strings.Contains(err.Error(), "no such file") {
		t.Errorf("CHROMIUM naming nothing: %v", err)
	}
	t.Setenv("CHROMIUM", "")
	t.Setenv("PATH", t.TempDir())
	_, err = findChromium()
	if err == nil || !strings.Contains(err.Error(), "apt-get install chromium") {
		t.Errorf("no browser on the PATH: %v, want what to install", err)
	}
}
