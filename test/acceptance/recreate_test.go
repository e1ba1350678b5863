package acceptance

import (
	"fmt"
	"net/http"
	"sync"
	"testing"
)

// TestRecreateDeletedService deletes services and at once sends a request
// for the same service id, over and over, several services at a time
// (the shape of TestHostnameToken: a subtest's clean-up deletes the
// service its next subtest re-creates). Each request must be served by a
// new instance: while the delete is in flight the scheduler still lists
// the old one, which is being killed, and a request sent there fails
// with 502 (connection refused or reset) or, if it wins the race, is
// answered by a process of the deleted service.
func TestRecreateDeletedService(t *testing.T) {
	t.Parallel()
	rt := sharedRouter(t)
	const services, rounds = 4, 25 // 100 ports of the shared router's 800
	errs := make(chan error, services)
	var wg sync.WaitGroup
	for s := range services {
		h := kitchenHeaders(map[string]string{"x-waiter-name": fmt.Sprintf("%s%d", randName(t), s)})
		id := rt.serviceIDOf(t, h)
		rt.cleanupService(t, id)
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs <- recreateLoop(t, rt, id, h, rounds)
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Error(err)
		}
	}
}

// recreateLoop requests service id, then deletes it, rounds times; every
// round must be served, by an instance no earlier round saw.
func recreateLoop(t *testing.T, rt *router, id string, h map[string]string, rounds int) error {
	seen := map[string]int{} // backend id -> the round it served
	for round := range rounds {
		r := rt.request(http.MethodGet, "/request-info", h, nil)
		if r.Err != nil || r.Status != http.StatusOK {
			return fmt.Errorf("%s round %d: %s", id, round, r)
		}
		backend := r.instanceID()
		if backend == "" {
			return fmt.Errorf("%s round %d: no x-waiter-backend-id: %v", id, round, r.Header)
		}
		if prev, ok := seen[backend]; ok {
			return fmt.Errorf("%s round %d was served by %s, the instance of round %d, deleted since", id, round, backend, prev)
		}
		seen[backend] = round
		rt.deleteService(t, id)
	}
	return nil
}
