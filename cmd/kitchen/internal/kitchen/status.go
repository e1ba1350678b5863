package kitchen

import (
	"net/http"
	"sync"
	"time"
)

// defaultStatus is the status of every response no rule gives another one,
// /status included, which is how a test makes a healthy instance fail its
// health checks for a while (x-kitchen-default-status-value with
// --enable-status-change).
type defaultStatus struct {
	mu   sync.Mutex
	code int
	// gen counts changes so that a reset timer only undoes the change that
	// armed it; the original's timer reset whatever was current.
	gen uint64
}

func (d *defaultStatus) get() int {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.code == 0 {
		return http.StatusOK
	}
	return d.code
}

// set makes code the default; after resetAfter (if positive) it goes back
// to 200 unless another change came in between.
func (d *defaultStatus) set(code int, resetAfter time.Duration) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.code = code
	d.gen++
	if resetAfter <= 0 {
		return
	}
	gen := d.gen
	time.AfterFunc(resetAfter, func() {
		d.mu.Lock()
		defer d.mu.Unlock()
		if d.gen == gen {
			d.code = http.StatusOK
		}
	})
}
