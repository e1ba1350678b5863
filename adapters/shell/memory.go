package shell

import (
	"os"
	"time"

	"github.com/waiter-go/waiter/engine"
)

// watchMemory compares each instance's resident memory with its mem every
// MemoryCheckInterval until Shutdown.
func (s *Scheduler) watchMemory() {
	t := time.NewTicker(s.cfg.MemoryCheckInterval)
	defer t.Stop()
	var w memoryWatch
	for {
		select {
		case <-s.stop:
			return
		case <-t.C:
		}
		s.checkMemory(&w)
	}
}

// memoryWatch is what checkMemory keeps from one check to the next, so
// that a check reuses it rather than allocating it again each second.
type memoryWatch struct {
	procs procReader
	rss   map[int]int64 // resident bytes by process group
}

// checkMemory kills instances whose process group holds more resident
// memory than mem MB (Waiter sums RSS over the process tree; a process
// group is the same set here, since every instance has its own). The
// instance is recorded as failed with FlagMemoryLimitExceeded and killed
// with SIGKILL at once: a grace period would let it grow further.
func (s *Scheduler) checkMemory(w *memoryWatch) {
	s.mu.Lock()
	watched := false
	for _, svc := range s.services {
		if svc.spec.MemMB > 0 && len(svc.instances) > 0 {
			watched = true
			break
		}
	}
	s.mu.Unlock()
	if !watched {
		return
	}
	procs, err := w.procs.scan()
	if err != nil {
		s.log.Error("shell: memory check", "err", err)
		return
	}
	page := int64(os.Getpagesize())
	if w.rss == nil {
		w.rss = make(map[int]int64)
	}
	clear(w.rss)
	for _, p := range procs {
		if !p.dead() {
			w.rss[p.pgrp] += p.rssPages * page
		}
	}

	s.mu.Lock()
	defer s.mu.Unlock()
	for _, svc := range s.services {
		limit := int64(svc.spec.MemMB * 1024 * 1024)
		if limit <= 0 {
			continue
		}
		for _, in := range svc.instances {
			if used := w.rss[in.pid]; used > limit {
				s.log.Info("shell: memory limit exceeded", "instance", in.id, "rss", used, "limit", limit)
				s.fail(in, engine.FlagMemoryLimitExceeded, "Exceeded allocated memory usage", nil, 0)
			}
		}
	}
}
