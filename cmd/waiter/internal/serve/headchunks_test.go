package serve

import (
	"fmt"
	"net/http"
	"runtime"
	"strings"
	"sync"
	"testing"

	"github.com/waiter-go/waiter/cmd/waiter/internal/config"
	"github.com/waiter-go/waiter/internal/strarena"
)

// Request heads are cut from arenas (a chunk holds dozens of heads): the
// event loops' own, and pooled ones on the goroutine front. Whatever the
// router keeps from a request past it (a cache's key or entry, a parse,
// a description, a kept decision) must hold strings of its own, or it
// keeps a whole chunk of other heads alive. After floods of distinct
// requests of every kind, proxied and API calls, each on a connection of
// its own and then on many keep-alive connections at once, only a few
// chunks are left: the loops' current ones, and those of the heads the
// kits in use a moment ago still hold. The floods made a few hundred.
// Without its copies, the token cache kept every made-up Host's chunk
// and the parse cache every token name's.
func TestKeptStringsKeepNoHeadChunk(t *testing.T) {
	t.Run("event loops", func(t *testing.T) { keptStringsFloods(t) })
	t.Run("goroutine front", func(t *testing.T) { keptStringsFloods(t, goroutineFront) })
}

func keptStringsFloods(t *testing.T, mutate ...func(*config.Config)) {
	r := startRouter(t, nil, append(mutate, func(c *config.Config) { c.MaxServicesPerUser = 400 })...)
	status, body := read(t, r.call(t, "POST", "/token", strings.NewReader(
		`{"token": "kitchen", "cmd": "kitchen", "cpus": 0.1, "mem": 64, "version": "v1"}`)))
	wantBody(t, status, body, 200, "Successfully created kitchen")

	strarena.Track(true)
	t.Cleanup(func() { strarena.Track(false) })
	// Each request on a connection of its own: a connection starts on the
	// loops, and one they hand off stays with the goroutine front.
	r.client = &http.Client{Transport: &http.Transport{DisableKeepAlives: true}}
	const n = 1500
	floods := []struct {
		name string
		want int
		// request is request i's path and headers.
		request func(i int) (string, []string)
	}{
		{"token", http.StatusOK, func(i int) (string, []string) {
			return fmt.Sprintf("/path-%d?q=%d", i, i), []string{"x-waiter-token", "kitchen", "x-cid", fmt.Sprint("cid-", i),
				"cookie", fmt.Sprintf("c%d=v%d", i, i), "user-agent", fmt.Sprint("agent-", i)}
		}},
		{"made-up host", http.StatusBadRequest, func(i int) (string, []string) {
			return "/", []string{"host", fmt.Sprintf("made-up-%d.example", i)}
		}},
		{"missing token", http.StatusNotFound, func(i int) (string, []string) {
			return "/", []string{"x-waiter-token", fmt.Sprint("nope-", i)}
		}},
		{"on-the-fly", http.StatusOK, func(i int) (string, []string) {
			return "/", service(fmt.Sprint("fly-", i%30))
		}},
		{"token API", http.StatusNotFound, func(i int) (string, []string) {
			return fmt.Sprintf("/token?token=nope-%d", i), []string{"x-cid", fmt.Sprint("api-", i)}
		}},
		{"service-id API", http.StatusOK, func(i int) (string, []string) {
			return "/service-id", append(service(fmt.Sprint("id-", i)), "host", fmt.Sprintf("made-up-id-%d.example", i))
		}},
		{"on-the-fly distinct", http.StatusTooManyRequests, func(i int) (string, []string) {
			// The first 400 start services, the rest are refused.
			return "/", service(fmt.Sprint("distinct-", i))
		}},
	}
	made := int64(0)
	for _, f := range floods {
		statuses := map[int]int{}
		for i := range n {
			path, headers := f.request(i)
			status, _ := read(t, r.call(t, "GET", path, nil, headers...))
			statuses[status]++
		}
		if statuses[f.want] < n/2 {
			t.Errorf("%s: answers %v, want mostly %d", f.name, statuses, f.want)
		}
		made += n * 150 / strarena.Chunk // heads of 150 bytes and more
	}

	// Many keep-alive connections at once, each sending distinct tokens
	// and on-the-fly services, then idle: their kits go back to the loops.
	r.client = &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 200}}
	var wg sync.WaitGroup
	for c := range 150 {
		wg.Go(func() {
			for i := range 20 {
				headers := []string{"x-waiter-token", fmt.Sprintf("nope-%d-%d", c, i)}
				if i%2 == 1 {
					headers = service(fmt.Sprintf("kept-%d-%d", c, i))
				}
				read(t, r.call(t, "GET", "/", nil, headers...))
			}
		})
	}
	wg.Wait()
	made += 150 * 20 * 150 / strarena.Chunk

	live := strarena.Settled()
	if bound := int64(2*runtime.GOMAXPROCS(0) + 4); live > bound {
		t.Errorf("%d arena chunks alive after the floods, want at most %d (the floods made about %d)", live, bound, made)
	}
	t.Logf("%d arena chunks alive after floods that made about %d", live, made)
}
