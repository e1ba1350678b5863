package serve

import (
	"bytes"
	"io"
	"log/slog"
	"net"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/waiter-go/waiter/cmd/waiter/internal/config"
)

var debugListening = regexp.MustCompile(`msg="waiter serve: debug listening" addr=(\S+)`)

// debug-listen serves Go's runtime profiles on a listener of its own,
// closed with the router; the router's own port does not serve them.
func TestDebugListenServesProfiles(t *testing.T) {
	logs := &lockedBuffer{}
	r := startRouterWith(t, nil, nil, slog.New(slog.NewTextHandler(logs, nil)), func(c *config.Config) {
		c.DebugListen = "127.0.0.1:0"
	})
	// The router answers once Run has passed the point that starts the
	// debug listener and logs its address.
	if status, _ := read(t, r.call(t, "GET", "/status", nil)); status != http.StatusOK {
		t.Fatalf("GET /status: %d", status)
	}
	m := debugListening.FindStringSubmatch(logs.String())
	if m == nil {
		t.Fatalf("no debug listening line in the log:\n%s", logs.String())
	}
	base := "http://" + m[1]
	get := func(path string) (int, []byte) {
		t.Helper()
		resp, err := http.Get(base + path)
		if err != nil {
			t.Fatalf("GET %s: %v", path, err)
		}
		defer resp.Body.Close()
		b, err := io.ReadAll(resp.Body)
		if err != nil {
			t.Fatalf("GET %s: %v", path, err)
		}
		return resp.StatusCode, b
	}

	status, body := get("/debug/pprof/goroutine?debug=1")
	// The router's connections are accepted by its event loops (or, with
	// event-loop off, by the front's accept loop).
	if status != http.StatusOK || !strings.Contains(string(body), "cmd/waiter/internal/loopfront.(*loop).run") &&
		!strings.Contains(string(body), "cmd/waiter/internal/serve.(*front).run") {
		t.Fatalf("goroutine profile: %d, without the router's accepting loops:\n%.2000s", status, body)
	}
	status, body = get("/debug/pprof/profile?seconds=1")
	if status != http.StatusOK || !bytes.HasPrefix(body, []byte{0x1f, 0x8b}) {
		t.Fatalf("CPU profile: %d %q, want a gzipped profile", status, body[:min(len(body), 200)])
	}
	// Every input is bounded in time: an hour's profile or trace is
	// refused at once (net/http/pprof would take it).
	for _, path := range []string{"/debug/pprof/profile?seconds=3600", "/debug/pprof/trace?seconds=3600",
		"/debug/pprof/heap?seconds=1e9", "/debug/pprof/profile?seconds=NaN"} {
		status, body = get(path)
		if status != http.StatusBadRequest || !strings.Contains(string(body), "seconds must be a number of at most 120") {
			t.Fatalf("GET %s: %d %q, want 400", path, status, body)
		}
	}

	status, index := read(t, r.call(t, "GET", "/debug/pprof/", nil))
	if status == http.StatusOK || strings.Contains(index, "Types of profiles available") {
		t.Fatalf("the router's own port served the profiles' index: %d %.300s", status, index)
	}

	if err := r.stop(); err != nil {
		t.Fatal(err)
	}
	if c, err := net.DialTimeout("tcp", m[1], time.Second); err == nil {
		c.Close()
		t.Fatalf("the debug listener %s still accepts connections after Run returned", m[1])
	}
}
