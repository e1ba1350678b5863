package fanout

import "testing"

func TestFanout(t *testing.T) {
	var f Fanout
	a, b := f.Subscribe(), f.Subscribe()
	f.Notify("s1")
	for _, c := range []<-chan string{a, b} {
		if got := <-c; got != "s1" {
			t.Errorf("got %q, want s1", got)
		}
	}
	// A subscriber that does not read never blocks the sender: past the
	// buffer, notifications are dropped.
	for range Buffer + 10 {
		f.Notify("s2")
	}
	if len(a) != Buffer {
		t.Errorf("buffered %d, want %d", len(a), Buffer)
	}
	f.Close()
	f.Close() // twice is harmless
	f.Notify("s3")
	n := 0
	for range a {
		n++
	}
	if n != Buffer {
		t.Errorf("read %d before the close, want %d", n, Buffer)
	}
	if _, ok := <-f.Subscribe(); ok {
		t.Error("a subscription after Close is open")
	}
}
