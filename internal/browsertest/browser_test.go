package browsertest

import (
	"net/http"
	"net/http/httptest"
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
