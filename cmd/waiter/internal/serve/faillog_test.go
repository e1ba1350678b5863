package serve

import (
	"log/slog"
	"sync"
	"testing"
)

// failLog is a debug logger whose output the test prints only if it
// fails: what a cluster router and its ZooKeeper client saw (session
// states, reconnects, refused writes) is what a flaky failure needs, and
// too much to print for every passing run. Unlike t.Output, it may be
// written after the test ends (the ZooKeeper client logs from its own
// goroutines as it closes). It keeps the last failLogBytes.
type failLog struct {
	mu  sync.Mutex
	buf []byte
}

const failLogBytes = 64 << 10

func newFailLog(t *testing.T, name string) *slog.Logger {
	l := &failLog{}
	t.Cleanup(func() {
		if t.Failed() {
			l.mu.Lock()
			defer l.mu.Unlock()
			t.Logf("%s's log (its last %d bytes at most):\n%s", name, failLogBytes, l.buf)
		}
	})
	return slog.New(slog.NewTextHandler(l, &slog.HandlerOptions{Level: slog.LevelDebug}))
}

func (l *failLog) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.buf = append(l.buf, p...)
	if over := len(l.buf) - failLogBytes; over > 0 {
		l.buf = append(l.buf[:0], l.buf[over:]...)
	}
	return len(p), nil
}
