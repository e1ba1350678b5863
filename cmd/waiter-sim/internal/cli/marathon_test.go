package cli

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"
)

// TestMarathonServesUntilInterrupted runs `waiter-sim marathon` in-process,
// asks it for /ping and /v2/apps, then interrupts it.
func TestMarathonServesUntilInterrupted(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	ready := make(chan string, 1)
	oldCtx, oldReady := marathonContext, marathonReady
	marathonContext = func() (context.Context, context.CancelFunc) { return ctx, cancel }
	marathonReady = func(url string) { ready <- url }
	t.Cleanup(func() { marathonContext, marathonReady = oldCtx, oldReady })

	var stdout, stderr bytes.Buffer
	code := make(chan int, 1)
	go func() { code <- Run([]string{"marathon", "--listen", "127.0.0.1:0", "--simulated"}, &stdout, &stderr) }()
	var url string
	select {
	case url = <-ready:
	case c := <-code:
		t.Fatalf("exited %d before serving: %s", c, stderr.String())
	case <-time.After(10 * time.Second):
		t.Fatal("not serving after 10 s")
	}
	for path, want := range map[string]string{"/ping": "pong", "/v2/apps": `{"apps":[]}`} {
		resp, err := http.Get(url + path)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 || !strings.Contains(string(b), want) {
			t.Errorf("GET %s: %d %q, want 200 and %q", path, resp.StatusCode, b, want)
		}
	}
	cancel()
	select {
	case c := <-code:
		if c != exitOK {
			t.Fatalf("exit %d after interrupt: %s", c, stderr.String())
		}
	case <-time.After(10 * time.Second):
		t.Fatal("still running 10 s after the interrupt")
	}
	if !strings.Contains(stdout.String(), "simulated Marathon listening on "+url) {
		t.Errorf("stdout %q does not say where it listens", stdout.String())
	}
}
