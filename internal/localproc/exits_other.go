//go:build !linux

package localproc

// Exits is a goroutine per child where there is no pidfd: Watch calls
// then at once, and its cmd.Wait does the waiting.
type Exits struct{}

// NewExits returns an Exits.
func NewExits() (*Exits, error) { return &Exits{}, nil }

// Watch calls then on a goroutine of its own at once; then reaps the
// child (cmd.Wait), waiting for its exit.
func (x *Exits) Watch(pid int, then func()) { go then() }

// WatchProcess cannot watch a process that is not a child here: it
// returns false, and the caller polls.
func (x *Exits) WatchProcess(pid int, ours func() bool, then func()) bool { return false }

// Close does nothing.
func (x *Exits) Close() error { return nil }
