package serve

import (
	"bufio"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/waiter-go/waiter/adapters/bolt"
	"github.com/waiter-go/waiter/cmd/waiter/internal/config"
)

// floodSize is how many distinct service descriptions each flood names.
const floodSize = 12000

// A flood of 12 000 distinct descriptions through /service-id, each with
// a made-up Host (a token lookup), then 12 000 distinct on-the-fly
// services through the proxy, leaves the router's caches within their
// sizes, stores a description only for the services it started (bounded
// by max-services-per-user), and keeps memory and the store file small.
// The figures (RSS, Go heap, store file) are logged for the record.
func TestFloodOfDistinctDescriptionsIsBounded(t *testing.T) {
	const servicesPerUser = 20
	r := startRouter(t, nil, func(c *config.Config) { c.MaxServicesPerUser = servicesPerUser })
	before := memFigures(t)

	statuses := flood(t, r, func(i int) (string, []string) {
		return "/service-id", append(service(fmt.Sprint("flood-id-", i)), "host", fmt.Sprintf("made-up-%d.example", i))
	})
	if statuses[http.StatusOK] != floodSize {
		t.Errorf("/service-id answers %v, want %d times 200", statuses, floodSize)
	}
	statuses = flood(t, r, func(i int) (string, []string) {
		return "/", service(fmt.Sprint("flood-proxy-", i))
	})
	if statuses[http.StatusOK] != servicesPerUser || statuses[http.StatusTooManyRequests] != floodSize-servicesPerUser {
		t.Errorf("proxied answers %v, want %d served and the rest 429", statuses, servicesPerUser)
	}

	caches := cacheEntries(t, r)
	for name, limit := range map[string]int{"descriptions": 4096, "services": 10000, "tokens": 10000} {
		if n, ok := caches[name]; !ok || n > limit {
			t.Errorf("cache %s holds %d (reported: %v), past its size %d", name, n, ok, limit)
		}
	}
	status, body := read(t, r.call(t, "GET", "/apps", nil))
	wantBody(t, status, body, 200)
	if n := strings.Count(body, `"service-id"`); n != servicesPerUser {
		t.Errorf("/apps lists %d services, want %d", n, servicesPerUser)
	}
	after := memFigures(t)

	if err := r.stop(); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(r.dir, StoreFile)
	db, err := bolt.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	list, err := db.ListServiceDescriptions()
	_ = db.Close()
	if err != nil {
		t.Fatal(err)
	}
	// The router checks the limit before it stores a description; four
	// clients racing for the last slot can each pass the check, so up to
	// three more descriptions than services started may be stored (the
	// router hands those to the retention of inactive services).
	if len(list) < servicesPerUser || len(list) > servicesPerUser+3 {
		t.Errorf("the store holds %d descriptions, want the %d services started (+ at most 3 races)", len(list), servicesPerUser)
	}
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Size() > 1<<20 {
		t.Errorf("store file %d bytes after the flood", fi.Size())
	}
	// The caches are full, so the heap holds them; bounded caches keep it
	// far below what 24 000 services' worth of records would take.
	if grew := int64(after.heap) - int64(before.heap); grew > 64<<20 {
		t.Errorf("Go heap grew by %d MiB", grew>>20)
	}
	t.Logf("flood of 2 x %d distinct descriptions: RSS %d -> %d MiB, Go heap in use %d -> %d MiB, "+
		"store %d bytes with %d descriptions, caches %v",
		floodSize, before.rss>>20, after.rss>>20, before.heap>>20, after.heap>>20, fi.Size(), len(list), caches)
}

// flood sends floodSize requests from 4 clients; request i is GET path
// with headers. It returns how many answers had each status.
func flood(t *testing.T, r *testRouter, request func(i int) (string, []string)) map[int]int {
	t.Helper()
	var mu sync.Mutex
	statuses := map[int]int{}
	next := make(chan int)
	var wg sync.WaitGroup
	for range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				path, headers := request(i)
				req, err := http.NewRequest("GET", r.url+path, nil)
				if err != nil {
					t.Error(err)
					return
				}
				for j := 0; j+1 < len(headers); j += 2 {
					if headers[j] == "host" {
						req.Host = headers[j+1]
						continue
					}
					req.Header.Set(headers[j], headers[j+1])
				}
				resp, err := r.client.Do(req)
				if err != nil {
					t.Error(err)
					return
				}
				_, _ = io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				mu.Lock()
				statuses[resp.StatusCode]++
				mu.Unlock()
			}
		}()
	}
	for i := range floodSize {
		next <- i
	}
	close(next)
	wg.Wait()
	return statuses
}

// cacheEntries reads waiter_cache_entries from /metrics.
func cacheEntries(t *testing.T, r *testRouter) map[string]int {
	t.Helper()
	status, body := read(t, r.call(t, "GET", "/metrics", nil))
	wantBody(t, status, body, 200)
	out := map[string]int{}
	sc := bufio.NewScanner(strings.NewReader(body))
	for sc.Scan() {
		line := sc.Text()
		name, rest, ok := strings.Cut(strings.TrimPrefix(line, `waiter_cache_entries{cache="`), `"} `)
		if !ok || !strings.HasPrefix(line, "waiter_cache_entries{") {
			continue
		}
		n, err := strconv.ParseFloat(rest, 64)
		if err != nil {
			t.Fatalf("%q: %v", line, err)
		}
		out[name] = int(n)
	}
	return out
}

type figures struct{ rss, heap uint64 }

// memFigures is this process's resident set (the router runs in it) and
// the Go heap in use after a collection.
func memFigures(t *testing.T) figures {
	t.Helper()
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	f := figures{heap: ms.HeapInuse}
	raw, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return f // not Linux: no RSS figure
	}
	for _, line := range strings.Split(string(raw), "\n") {
		if v, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			kb, _ := strconv.ParseUint(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), 10, 64)
			f.rss = kb << 10
		}
	}
	return f
}
