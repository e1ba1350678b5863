package engine

import (
	"testing"
	"time"
)

// Request timeouts are capped at an hour, an async request's at four
// (async-request-max-timeout-ms).
func TestAsyncRequestTimeoutCap(t *testing.T) {
	hp, err := ParseHeaders(map[string][]string{
		"X-Waiter-Async-Request-Timeout": {"86400000"}, "X-Waiter-Async-Check-Interval": {"86400000"},
		"X-Waiter-Queue-Timeout": {"86400000"},
	})
	if err != nil {
		t.Fatal(err)
	}
	if got := hp.Request.AsyncRequestTimeout; got != 4*time.Hour {
		t.Errorf("async request timeout %v, want the 4 h cap", got)
	}
	if got := hp.Request.AsyncCheckInterval; got != time.Hour {
		t.Errorf("async check interval %v, want the 1 h cap", got)
	}
	if got := hp.Request.QueueTimeout; got != time.Hour {
		t.Errorf("queue timeout %v, want the 1 h cap", got)
	}
}
