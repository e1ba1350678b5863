package router

import "sync"

// opQueue runs scheduler calls on at most `workers` goroutines at once,
// in submission order per key (service id): a scale must not overtake the
// create it follows, nor a create the delete before it. Different services
// proceed in parallel.
type opQueue struct {
	sem chan struct{}

	mu     sync.Mutex
	queues map[string][]func()
	wg     sync.WaitGroup
}

func newOpQueue(workers int) *opQueue {
	return &opQueue{sem: make(chan struct{}, workers), queues: map[string][]func(){}}
}

// submit queues job under key; it never blocks.
func (q *opQueue) submit(key string, job func()) {
	q.mu.Lock()
	q.queues[key] = append(q.queues[key], job)
	start := len(q.queues[key]) == 1 // no runner for this key yet
	q.mu.Unlock()
	if start {
		q.wg.Add(1)
		go q.run(key)
	}
}

// run drains one key's queue; a job stays at the head until it finished,
// which is how submit knows a runner exists.
func (q *opQueue) run(key string) {
	defer q.wg.Done()
	for {
		q.mu.Lock()
		job := q.queues[key][0]
		q.mu.Unlock()

		q.sem <- struct{}{}
		job()
		<-q.sem

		q.mu.Lock()
		rest := q.queues[key][1:]
		if len(rest) == 0 {
			delete(q.queues, key)
			q.mu.Unlock()
			return
		}
		q.queues[key] = rest
		q.mu.Unlock()
	}
}

// wait blocks until every submitted job has run.
func (q *opQueue) wait() { q.wg.Wait() }

// pending counts queued and running jobs.
func (q *opQueue) pending() int {
	q.mu.Lock()
	defer q.mu.Unlock()
	n := 0
	for _, jobs := range q.queues {
		n += len(jobs)
	}
	return n
}
