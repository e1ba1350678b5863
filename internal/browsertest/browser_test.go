package browsertest

import (
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// A page's console errors, uncaught exceptions and failed loads are all
// reported; a clean page reports nothing; extra headers reach the server.
func TestProblemsAreCaught(t *testing.T) {
	mux := http.NewServeMux()
	mux.HandleFunc("/clean", func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("X-Test") != "yes" {
			http.Error(w, "no header", http.StatusUnauthorized)
			return
		}
		w.Header().Set("Content-Type", "text/html")
		_, _ = w.Write([]byte(`<!doctype html><link rel="icon" href="data:,"><title>clean</title><p id="p">hello</p>`))
	})
	mux.HandleFunc("/broken", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		_, _ = w.Write([]byte(`<!doctype html><link rel="icon" href="data:,">
<script>console.error("logged-error")</script>
<script>throw new Error("thrown-error")</script>
<img src="/missing.png">`))
	})
	srv := httptest.NewServer(mux) // 127.0.0.1 on a free port
	defer srv.Close()

	b := Start(t)
	clean := b.Open(t, srv.URL+"/clean", map[string]string{"X-Test": "yes"})
	if clean.Status() != http.StatusOK {
		t.Fatalf("clean page status %d, want 200 (the extra header did not arrive)", clean.Status())
	}
	if got := Eval[string](t, clean, `document.getElementById("p").textContent`); got != "hello" {
		t.Errorf("text %q", got)
	}

	broken := b.Open(t, srv.URL+"/broken", nil)
	if got := Eval[int](t, broken, `document.images.length`); got != 1 {
		t.Fatalf("broken page not loaded: %d images", got)
	}
	all := strings.Join(broken.Problems(t), "\n")
	for _, want := range []string{"logged-error", "thrown-error", "404"} {
		if !strings.Contains(all, want) {
			t.Errorf("problems lack %q:\n%s", want, all)
		}
	}
	if p := clean.Problems(t); len(p) != 0 {
		t.Errorf("clean page reported problems: %v", p)
	}
	if s := b.Open(t, srv.URL+"/clean", nil).Status(); s != http.StatusUnauthorized {
		t.Errorf("page without the header: %d, want 401", s)
	}
}

// A page opened from a file records its requests: the page, then what it
// fetched; a page that fetches nothing records only itself.
func TestRequestsAreRecorded(t *testing.T) {
	dir := t.TempDir()
	missing := filepath.Join(dir, "missing.png")
	page := filepath.Join(dir, "fetches.html")
	html := `<!DOCTYPE html><link rel="icon" href="data:,"><title>fetches</title><img src="file://` + missing + `">`
	if err := os.WriteFile(page, []byte(html), 0o644); err != nil {
		t.Fatal(err)
	}
	alone := filepath.Join(dir, "alone.html")
	if err := os.WriteFile(alone, []byte(`<!DOCTYPE html><link rel="icon" href="data:,"><title>alone</title><p>x</p>`), 0o644); err != nil {
		t.Fatal(err)
	}
	b := Start(t)
	p := b.Open(t, "file://"+page, nil)
	if reqs := p.Requests(); len(reqs) != 2 || reqs[0] != "file://"+page || reqs[1] != "file://"+missing {
		t.Errorf("requests %q, want the page, then the missing image", reqs)
	}
	if probs := p.Problems(t); len(probs) == 0 {
		t.Error("the missing image is not a problem")
	}
	q := b.Open(t, "file://"+alone, nil)
	if reqs := q.Requests(); len(reqs) != 1 || reqs[0] != "file://"+alone {
		t.Errorf("a page that fetches nothing: requests %q", reqs)
	}
	if probs := q.Problems(t); len(probs) != 0 {
		t.Errorf("a clean page from a file has problems: %q", probs)
	}
}

func TestMissingBrowserIsAClearError(t *testing.T) {
	t.Setenv("WAITER_CHROMIUM", filepath.Join(t.TempDir(), "no-such-chromium"))
	if _, err := FindChromium(); err == nil || !strings.Contains(err.Error(), "WAITER_CHROMIUM=") {
		t.Errorf("WAITER_CHROMIUM naming nothing: %v", err)
	}
	t.Setenv("WAITER_CHROMIUM", "")
	t.Setenv("PATH", t.TempDir())
	if _, err := FindChromium(); err == nil || !strings.Contains(err.Error(), "apt-get install -y chromium") {
		t.Errorf("no browser on the PATH: %v, want what to install", err)
	}
}
