package leakcheck

import (
	"testing"
	"time"
)

// After passes a failure through, finds a goroutine left running, and
// passes once it has ended.
func TestAfter(t *testing.T) {
	if got := After(3); got != 3 {
		t.Errorf("After(3) = %d, want the tests' own code", got)
	}
	stop := make(chan struct{})
	ended := make(chan struct{})
	go func() {
		defer close(ended)
		select {
		case <-stop:
		case <-time.After(time.Minute):
		}
	}()
	if got := After(0); got != 1 {
		t.Errorf("After(0) with a goroutine left running = %d, want 1", got)
	}
	close(stop)
	<-ended
	if got := After(0); got != 0 {
		t.Errorf("After(0) with nothing left = %d, want 0", got)
	}
}
