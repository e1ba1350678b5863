package router

import (
	"bytes"
	"context"
	"log/slog"
	"strings"
	"sync"
	"testing"

	"github.com/waiter-go/waiter"
	"github.com/waiter-go/waiter/engine"
)

// lockedBuffer is a log sink the driver's goroutines may share.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// At debug level every scheduler decision is one line with the same keys
// for the same concepts; at info it is not logged at all.
func TestScalingDecisionsLoggedAtDebug(t *testing.T) {
	for _, level := range []slog.Level{slog.LevelDebug, slog.LevelInfo} {
		var out lockedBuffer
		h := newHarnessWith(t, nil, func(c *Config) {
			c.Logger = slog.New(slog.NewTextHandler(&out, &slog.HandlerOptions{Level: level}))
		})
		d := desc(t, nil)
		g, err := h.d.Admit(context.Background(), waiter.Admission{Description: d})
		if err != nil {
			t.Fatalf("Admit: %v", err)
		}
		h.d.Release(g, engine.OutcomeSuccess)
		line := ""
		for _, l := range strings.Split(out.String(), "\n") {
			if strings.Contains(l, `msg="scaling decision"`) && strings.Contains(l, "op=create") {
				line = l
			}
		}
		if level == slog.LevelInfo {
			if strings.Contains(out.String(), "scaling decision") {
				t.Errorf("decisions logged at info level:\n%s", out.String())
			}
			continue
		}
		for _, want := range []string{"level=DEBUG", "service-id=" + d.ID, "instances=1", "force=false"} {
			if !strings.Contains(line, want) {
				t.Errorf("create decision %q lacks %q; log:\n%s", line, want, out.String())
			}
		}
	}
}
