package fanout

import "sync"

// Buffer is how many notifications a subscriber may fall behind before
// further ones are dropped. Drops are harmless because a driver keeps
// polling as well: a dropped notification costs at most one poll interval.
const Buffer = 256

// Fanout delivers service ids to every subscriber. The zero value is
// ready to use; it is safe for concurrent use and never blocks a sender.
type Fanout struct {
	mu     sync.Mutex
	subs   []chan string
	closed bool
}

// Subscribe returns a channel that receives the id of each changed
// service (ids may repeat). It is closed by Close; subscribing after
// Close returns a closed channel.
func (f *Fanout) Subscribe() <-chan string {
	c := make(chan string, Buffer)
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.closed {
		close(c)
		return c
	}
	f.subs = append(f.subs, c)
	return c
}

// Notify tells every subscriber that service id changed, dropping the
// notification for a subscriber whose buffer is full.
func (f *Fanout) Notify(id string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, c := range f.subs {
		select {
		case c <- id:
		default:
		}
	}
}

// Close closes every subscription; later Notify calls do nothing.
func (f *Fanout) Close() {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.closed {
		return
	}
	f.closed = true
	for _, c := range f.subs {
		close(c)
	}
	f.subs = nil
}
