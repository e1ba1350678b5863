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

// Close does nothing.
func (x *Exits) Close() error { return nil }
