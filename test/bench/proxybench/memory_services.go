package main

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
)

// The per-service half of the memory benchmark (-only memory): the
// resident memory `waiter serve` keeps for each known, idle service. A
// router of its own (so the connections' memory is not mixed in) on the
// shell scheduler is given -services services, each described by
// on-the-fly headers and created by one request, each running one
// instance of the minimal backend (min-instances 1, so nothing scales
// them away while they are measured). The instances lead their own
// process groups, so the router's group RSS is the router's alone.

// servicesConfig is waiterConfig with a port for every instance and room
// for every service under one user.
const servicesConfig = `host: 127.0.0.1
router-id: proxybench-services
max-services-per-user: %[3]d
max-instances-per-user: %[3]d
shell:
  port-range: [%[1]d, %[2]d]
  adopt: true
`

// memoryServices prints the router's RSS before and after n services
// were created and served one request each, and the difference per
// service.
func memoryServices(o options, dir string, n int) error {
	sdir := filepath.Join(dir, "services")
	if err := os.MkdirAll(sdir, 0o755); err != nil {
		return err
	}
	// The instances' ports stay below Linux's ephemeral range (32768 up):
	// at 40000 up, the connections the memory run before had just closed
	// (in TIME_WAIT) or a client's own port collided with an instance's,
	// whose start then failed and backed off, and creating the services
	// took 40-70 s instead of about 10 (one request gave up at 60 s).
	const firstPort, ephemeral = 21000, 32768
	if firstPort+n+100 >= ephemeral {
		return fmt.Errorf("-services %d: at most %d (their ports must stay below Linux's ephemeral range)", n, ephemeral-firstPort-101)
	}
	config := fmt.Sprintf(servicesConfig, firstPort, firstPort+n+100, n+10)
	p, url, err := startWaiterWith(o.waiter, sdir, config)
	if err != nil {
		return err
	}
	defer func() { p.stop(syscall.SIGTERM) }() // the router running at the end
	before, err := groupRSS(p.cmd.Process.Pid)
	if err != nil {
		return err
	}
	goBefore, err := goMemory(url)
	if err != nil {
		return err
	}
	began := time.Now()
	if err := createServices(url, o.minimal, n); err != nil {
		return err
	}
	created := time.Since(began)
	fmt.Printf("\nmemory: RSS of waiter serve with %d known services (one instance each, created in %v)\n", n, created.Round(time.Millisecond))
	fmt.Printf("%-32s %12s %12s %14s\n", "waiter serve", "RSS before", "RSS after", "per service")
	// First while the backend connection each service's request left is
	// still pooled (a service used in the last 10 s), then idle: past the
	// router's backend pool idle timeout (10 s), those connections closed.
	for _, phase := range []struct {
		name string
		wait time.Duration
	}{{"just used", 0}, {"idle (12 s later)", 12 * time.Second}} {
		time.Sleep(phase.wait)
		after, err := groupRSS(p.cmd.Process.Pid)
		if err != nil {
			return err
		}
		goAfter, err := goMemory(url)
		if err != nil {
			return err
		}
		fmt.Printf("%-32s %9.1f MB %9.1f MB %11.0f B\n", phase.name, mb(before), mb(after), float64(after-before)/float64(n))
		for _, m := range goMemoryMetrics {
			fmt.Printf("  of which %-28s %11.0f per service\n", m, (goAfter[m]-goBefore[m])/float64(n))
		}
	}
	p, err = restartAdopting(o, p, sdir, config, n)
	return err
}

// goMemoryMetrics are the Go runtime's figures, from the router's
// /metrics, that say where a service's memory goes (go_threads: OS
// threads, each with stacks of its own).
var goMemoryMetrics = []string{"go_memstats_heap_inuse_bytes", "go_memstats_stack_inuse_bytes", "go_goroutines", "go_threads"}

// goMemory reads goMemoryMetrics from the router's Prometheus metrics.
func goMemory(url string) (map[string]float64, error) {
	prefixes := make([]string, len(goMemoryMetrics))
	for i, m := range goMemoryMetrics {
		prefixes[i] = m + " "
	}
	byPrefix, err := scrape(url+"/metrics", prefixes...)
	if err != nil {
		return nil, err
	}
	got := map[string]float64{}
	for p, v := range byPrefix {
		got[strings.TrimSuffix(p, " ")] = v
	}
	return got, nil
}

// createServices creates n services, 16 requests at a time, each by one
// GET with the service described in x-waiter headers.
func createServices(url, backend string, n int) error {
	client := &http.Client{Timeout: 60 * time.Second}
	work := make(chan int)
	errs := make(chan error, n)
	var wg sync.WaitGroup
	for w := 0; w < 16; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range work {
				headers := map[string]string{"x-waiter-cmd": backend, "x-waiter-cmd-type": "shell", "x-waiter-cpus": "0.1",
					"x-waiter-mem": "32", "x-waiter-version": "memory", "x-waiter-name": "memory-" + strconv.Itoa(i),
					"x-waiter-min-instances": "1", "x-waiter-max-instances": "1"}
				status, body, err := request(context.Background(), client, http.MethodGet, url+"/hello", headers, nil)
				if err == nil && status != http.StatusOK {
					err = fmt.Errorf("status %d: %.200s", status, body)
				}
				if err != nil {
					errs <- fmt.Errorf("service %d: %w", i, err)
				}
			}
		}()
	}
	for i := 0; i < n; i++ {
		work <- i
	}
	close(work)
	wg.Wait()
	close(errs)
	return <-errs // nil when every service answered
}
