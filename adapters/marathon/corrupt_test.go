package marathon

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"runtime"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"pgregory.net/rapid"

	"github.com/waiter-go/waiter/engine"
)

// A Marathon may answer anything: a body cut short, a field gone, null
// where an object was, a value of another type, a flipped byte. The
// router's driver calls the Scheduler from its own goroutine, so a
// panic here takes the router down; an error is what the driver
// handles (it logs, backs off and polls again). This test puts a
// corrupting proxy between the Scheduler and the simulated Marathon.

// corruption is what the proxy does to every JSON answer while set.
type corruption struct {
	kind string  // "", "truncate", "null", "drop", "retype", "flip"
	at   float64 // where in the body (truncate, flip) or which of its values (null, drop, retype)
	with int     // retype: which value of another type
}

// corruptingProxy forwards to target and corrupts answers as its
// current corruption says.
type corruptingProxy struct {
	mu  sync.Mutex
	now corruption
}

func (p *corruptingProxy) set(c corruption) {
	p.mu.Lock()
	p.now = c
	p.mu.Unlock()
}

func (p *corruptingProxy) current() corruption {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.now
}

// start serves the proxy on a loopback port in front of target and
// returns its URL.
func (p *corruptingProxy) start(t *testing.T, target string) string {
	t.Helper()
	u, err := url.Parse(target)
	if err != nil {
		t.Fatal(err)
	}
	rp := httputil.NewSingleHostReverseProxy(u)
	rp.ModifyResponse = func(resp *http.Response) error {
		c := p.current()
		if c.kind == "" || !strings.Contains(resp.Header.Get("Content-Type"), "json") {
			return nil
		}
		body, err := io.ReadAll(resp.Body)
		_ = resp.Body.Close()
		if err != nil {
			return err
		}
		body = corrupt(body, c)
		resp.Body = io.NopCloser(bytes.NewReader(body))
		resp.ContentLength = int64(len(body))
		resp.Header.Set("Content-Length", strconv.Itoa(len(body)))
		return nil
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: rp, ReadHeaderTimeout: 5 * time.Second}
	go func() { _ = srv.Serve(ln) }()
	t.Cleanup(func() { _ = srv.Close() })
	return "http://" + ln.Addr().String()
}

// corrupt applies c to a JSON body.
func corrupt(body []byte, c corruption) []byte {
	switch c.kind {
	case "truncate":
		return body[:int(c.at*float64(len(body)))]
	case "flip":
		if len(body) == 0 {
			return body
		}
		out := slices.Clone(body)
		out[int(c.at*float64(len(out)-1))] ^= 0x20
		return out
	}
	var doc any
	if json.Unmarshal(body, &doc) != nil {
		return body
	}
	paths := jsonPaths(doc, nil)
	if len(paths) == 0 {
		return body
	}
	path := paths[int(c.at*float64(len(paths)-1))]
	others := []any{nil, "x", 7.0, -1.0, true, []any{}, map[string]any{}, []any{nil}}
	var with any = dropMarker{} // "drop"
	switch c.kind {
	case "null":
		with = nil
	case "retype":
		with = others[c.with%len(others)]
	}
	doc = rewrite(doc, path, with)
	out, err := json.Marshal(doc)
	if err != nil {
		return body
	}
	return out
}

// dropMarker asks rewrite to delete the value (a map's key, an array's
// element).
type dropMarker struct{}

// jsonPaths lists the path of every value under doc, keys sorted, so that
// a draw picks the same value each time.
func jsonPaths(doc any, prefix []any) [][]any {
	var out [][]any
	switch v := doc.(type) {
	case map[string]any:
		keys := make([]string, 0, len(v))
		for k := range v {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			p := append(slices.Clone(prefix), k)
			out = append(out, p)
			out = append(out, jsonPaths(v[k], p)...)
		}
	case []any:
		for i, e := range v {
			p := append(slices.Clone(prefix), i)
			out = append(out, p)
			out = append(out, jsonPaths(e, p)...)
		}
	}
	return out
}

// rewrite replaces the value at path with with (dropMarker deletes it).
func rewrite(doc any, path []any, with any) any {
	if len(path) == 0 {
		return doc
	}
	switch v := doc.(type) {
	case map[string]any:
		k := path[0].(string)
		if len(path) == 1 {
			if with == (dropMarker{}) {
				delete(v, k)
			} else {
				v[k] = with
			}
			return v
		}
		v[k] = rewrite(v[k], path[1:], with)
	case []any:
		i := path[0].(int)
		if len(path) == 1 {
			if with == (dropMarker{}) {
				return slices.Delete(v, i, i+1)
			} else {
				v[i] = with
			}
			return v
		}
		v[i] = rewrite(v[i], path[1:], with)
	}
	return doc
}

func drawCorruption(t *rapid.T, i int) corruption {
	return corruption{
		kind: rapid.SampledFrom([]string{"", "truncate", "null", "null", "drop", "drop", "retype", "retype", "flip"}).Draw(t, fmt.Sprint("corruption", i)),
		at:   rapid.Float64Range(0, 1).Draw(t, fmt.Sprint("at", i)),
		with: rapid.IntRange(0, 7).Draw(t, fmt.Sprint("with", i)),
	}
}

// TestCorruptMarathonAnswersAreErrorsNotPanics is a property test: a
// sequence of Scheduler calls (observe, create, scale, kill, delete over
// two services), each while the proxy corrupts Marathon's answers in a
// drawn way. No call may panic or outlast its timeout; a failed call's
// error must be the Scheduler's own ("marathon: <call>: ..."); and once
// the answers are whole again, Observe must work and see Marathon's apps.
func TestCorruptMarathonAnswersAreErrorsNotPanics(t *testing.T) {
	_, simURL := newSim(t, nil)
	proxy := &corruptingProxy{}
	proxyURL := proxy.start(t, simURL)
	descs := []*engine.Description{describe(t, "corrupt-a", nil), describe(t, "corrupt-b", nil)}
	rapid.Check(t, func(rt *rapid.T) {
		// A Scheduler of its own, closed once the case passes: one that
		// panicked may hold its lock, and closing it would hang.
		s, err := New(Config{URL: proxyURL, HTTPTimeout: 2 * time.Second, RetryDelay: 10 * time.Millisecond,
			Cluster: "test-cluster", Password: func(id string) string { return id + ".password" },
			Logger: slog.New(slog.DiscardHandler)})
		if err != nil {
			rt.Fatal(err)
		}
		ops := rapid.IntRange(1, 8).Draw(rt, "ops")
		for i := range ops {
			op := rapid.SampledFrom([]string{"observe", "observe", "create", "scale", "kill", "delete"}).Draw(rt, fmt.Sprint("op", i))
			d := descs[rapid.IntRange(0, 1).Draw(rt, fmt.Sprint("service", i))]
			c := drawCorruption(rt, i)
			proxy.set(c)
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			start := time.Now()
			var err error
			panicked := func() (v any) {
				defer func() {
					if v = recover(); v != nil {
						buf := make([]byte, 64<<10)
						v = fmt.Sprintf("%v\n%s", v, buf[:runtime.Stack(buf, false)])
					}
				}()
				switch op {
				case "observe":
					_, err = s.Observe(ctx)
				case "create":
					err = s.CreateService(ctx, d, 1)
				case "scale":
					err = s.ScaleService(ctx, d.ID, rapid.IntRange(0, 2).Draw(rt, fmt.Sprint("instances", i)), rapid.Bool().Draw(rt, fmt.Sprint("force", i)))
				case "kill":
					err = s.KillInstance(ctx, d.ID, d.ID+"."+strconv.Itoa(i), engine.KillOptions{})
				case "delete":
					err = s.DeleteService(ctx, d.ID)
				}
				return nil
			}()
			cancel()
			proxy.set(corruption{})
			if panicked != nil {
				rt.Fatalf("%s with %+v panicked: %v", op, c, panicked)
			}
			proxy.set(corruption{})
			if took := time.Since(start); took > 8*time.Second {
				rt.Fatalf("%s with %+v took %v", op, c, took)
			}
			if err != nil && !strings.HasPrefix(err.Error(), "marathon: ") {
				rt.Fatalf("%s with %+v: an error not the Scheduler's own: %v", op, c, err)
			}
		}
		if _, err := s.Observe(context.Background()); err != nil {
			rt.Fatalf("Observe with whole answers again: %v", err)
		}
		if err := s.Close(); err != nil {
			rt.Fatalf("Close: %v", err)
		}
	})
}

// The two answers the corrupting proxy found panics on, given as they
// are: a task given as null (Observe read its id), and an app lookup
// answered without "app" (a forced scale read its tasks).
func TestNullTaskAndMissingAppAreNotPanics(t *testing.T) {
	var paths []string
	var mu sync.Mutex
	marathon := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		paths = append(paths, r.Method+" "+r.URL.Path)
		mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		switch {
		case r.URL.Path == "/v2/apps" || r.URL.Path == "/v2/apps/":
			_, _ = io.WriteString(w, `{"apps":[{"id":"/waiter-broken","instances":1,"tasks":[null]}]}`)
		case strings.HasPrefix(r.URL.Path, "/v2/apps/"):
			_, _ = io.WriteString(w, `{}`)
		default:
			http.NotFound(w, r)
		}
	}))
	defer marathon.Close()
	s, err := New(Config{URL: marathon.URL, HTTPTimeout: 5 * time.Second, Cluster: "test-cluster", ServicePrefix: "waiter-",
		Password: func(id string) string { return id }, Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	// Closed at the end, not deferred: a panic in Observe holds the
	// Scheduler's lock, and a deferred Close would wait on it for ever
	// instead of letting the panic fail the test.
	obs, err := s.Observe(context.Background())
	if err != nil {
		t.Fatalf("Observe: %v", err)
	}
	if o := obs["waiter-broken"]; !o.Exists || len(o.Instances) != 0 || o.Scheduled != 0 {
		t.Errorf("observation of an app whose one task is null: %+v, want it with no task", o)
	}
	if err := s.ScaleService(context.Background(), "waiter-broken", 2, true); !errors.Is(err, ErrUnavailable) {
		t.Errorf("forced scale when the app lookup has no app: %v, want ErrUnavailable", err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(paths) != 2 {
		t.Errorf("Marathon was asked %v, want the apps, then the one app", paths)
	}
}
