package main

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// The memory benchmark (-only memory): how much resident memory each idle
// keep-alive connection costs `waiter serve`, against nginx's in the same
// run. Each side first answers one request on every connection (so
// per-connection buffers exist, as they do for a client between
// requests), then the connections stay open and idle while the resident
// set of the whole process group is read from /proc.

// nginxMemConfig is nginxConfig with room for the idle connections.
const nginxMemConfig = `%s
worker_processes %d;
worker_rlimit_nofile 30000;
daemon off;
pid %[3]s/nginx.pid;
error_log %[3]s/error.log warn;
events { worker_connections 15000; }
http {
    access_log off;
    keepalive_timeout 300s;
    keepalive_requests 100000;
    client_body_temp_path %[3]s/client_body;
    proxy_temp_path %[3]s/proxy;
    fastcgi_temp_path %[3]s/fastcgi;
    uwsgi_temp_path %[3]s/uwsgi;
    scgi_temp_path %[3]s/scgi;
    server {
        listen 127.0.0.1:%[4]d;
        location / { return 200 "ok"; }
    }
}
`

// memory prints RSS with o.conns idle keep-alive connections open to
// nginx and to waiter serve, and each one's cost per connection.
func memory(o options, dir string, waiter *process, waiterURL string) error {
	raiseFileLimit()
	port, err := freePort()
	if err != nil {
		return err
	}
	user := ""
	if os.Geteuid() == 0 {
		user = "user root;"
	}
	conf := filepath.Join(dir, "nginx-mem.conf")
	if err := os.WriteFile(conf, []byte(fmt.Sprintf(nginxMemConfig, user, runtime.NumCPU(), dir, port)), 0o644); err != nil {
		return err
	}
	ngx, err := start("nginx", filepath.Join(dir, "nginx-mem.out"), o.nginx, "-p", dir, "-c", conf)
	if err != nil {
		return err
	}
	defer ngx.stop(syscall.SIGQUIT)
	nginxAddr := "127.0.0.1:" + strconv.Itoa(port)
	if _, err := awaitOK("http://"+nginxAddr+"/", 10*time.Second, 10*time.Millisecond); err != nil {
		return fmt.Errorf("nginx: %w", err)
	}
	// waiter's connections carry proxied requests, the traffic its fast
	// path serves (an API call such as /status is handed to net/http's
	// server): one service of the minimal backend, started first so that
	// its instance is in both RSS figures.
	waiterHead := ""
	for _, h := range [][2]string{{"x-waiter-cmd", o.minimal}, {"x-waiter-cmd-type", "shell"}, {"x-waiter-cpus", "0.1"},
		{"x-waiter-mem", "32"}, {"x-waiter-version", "memory"}, {"x-waiter-name", "memory-connections"}} {
		waiterHead += h[0] + ": " + h[1] + "\r\n"
	}
	if warm, err := openIdle(strings.TrimPrefix(waiterURL, "http://"), 1, waiterHead); err != nil {
		closeAll(warm)
		return fmt.Errorf("waiter serve: starting the service: %w", err)
	} else {
		closeAll(warm)
	}
	fmt.Printf("\nmemory: RSS with %d idle keep-alive connections (one GET /hello answered on each: by nginx itself, "+
		"proxied to a backend by waiter)\n", o.conns)
	// Two samples: a second after the requests (waiter's connections
	// still on their goroutines) and 12 s later, when waiter has parked
	// them (after a second idle) and the goroutines that served them have
	// ended (an idle worker waits 10 s for another connection).
	phases := []struct {
		name string
		wait time.Duration
	}{{"1 s later", time.Second}, {"idle (12 s later)", 11 * time.Second}}
	fmt.Printf("%-32s %12s %12s %14s\n", "server", "RSS before", "RSS after", "per connection")
	per := map[string][]float64{}
	marginal := map[string]float64{} // RSS per connection of the second half
	for _, s := range []struct {
		name string
		p    *process
		addr string
		head string
	}{{"nginx", ngx, nginxAddr, ""}, {"waiter serve", waiter, strings.TrimPrefix(waiterURL, "http://"), waiterHead}} {
		before, err := groupRSS(s.p.cmd.Process.Pid)
		if err != nil {
			return err
		}
		var goBefore map[string]float64
		var liveBefore uint64
		if s.p == waiter {
			if goBefore, err = goMemory(waiterURL); err != nil {
				return err
			}
			if liveBefore, err = liveHeap(waiter.debug); err != nil {
				return err
			}
		}
		// Half the connections first, left idle as long as the last
		// phase, then the other half: the second half's RSS is what one
		// more connection costs. The average over all of them also
		// counts what does not grow with connections, such as the free
		// heap a Go runtime keeps up to its heap goal (waiter serve's is
		// at least 32 MB over the live heap: cmd/waiter's gcfloor.go).
		half := o.conns / 2
		conns, err := openIdle(s.addr, half, s.head)
		if err != nil {
			closeAll(conns)
			return fmt.Errorf("%s: %w", s.name, err)
		}
		time.Sleep(phases[0].wait + phases[1].wait)
		mid, err := groupRSS(s.p.cmd.Process.Pid)
		if err != nil {
			closeAll(conns)
			return err
		}
		more, err := openIdle(s.addr, o.conns-half, s.head)
		conns = append(conns, more...)
		if err != nil {
			closeAll(conns)
			return fmt.Errorf("%s: %w", s.name, err)
		}
		var last int64 // RSS in the last phase
		for _, phase := range phases {
			time.Sleep(phase.wait)
			after, err := groupRSS(s.p.cmd.Process.Pid)
			var goAfter map[string]float64
			if err == nil && s.p == waiter {
				goAfter, err = goMemory(waiterURL) // on a connection of its own
			}
			if err != nil {
				closeAll(conns)
				return err
			}
			last = after
			per[s.name] = append(per[s.name], float64(after-before)/float64(o.conns))
			fmt.Printf("%-32s %9.1f MB %9.1f MB %11.0f B\n", s.name+", "+phase.name, mb(before), mb(after),
				float64(after-before)/float64(o.conns))
			for _, m := range goMemoryMetrics {
				if goAfter != nil {
					fmt.Printf("  of which %-28s %11.0f per connection\n", m, (goAfter[m]-goBefore[m])/float64(o.conns))
				}
			}
			if s.p == waiter && phase.name == phases[len(phases)-1].name {
				if err := idleHeap(o, waiter, liveBefore); err != nil {
					closeAll(conns)
					return err
				}
			}
		}
		closeAll(conns)
		marginal[s.name] = float64(last-mid) / float64(o.conns-half)
		fmt.Printf("%-32s %9.1f MB %9.1f MB %11.0f B\n", s.name+", idle, the second half", mb(mid), mb(last), marginal[s.name])
	}
	for i, phase := range phases {
		if n, w := per["nginx"], per["waiter serve"]; len(n) > i && len(w) > i && n[i] > 0 {
			fmt.Printf("waiter serve / nginx per connection, %s: %.2fx\n", phase.name, w[i]/n[i])
		}
	}
	if n, w := marginal["nginx"], marginal["waiter serve"]; n > 0 {
		fmt.Printf("waiter serve / nginx per connection, idle, the second %d connections: %.2fx\n", o.conns-o.conns/2, w/n)
	}
	return nil
}

// liveHeap is the heap in use (HeapAlloc) right after a collection, read
// from the debug listener at base (/debug/pprof/heap?gc=1 collects first).
func liveHeap(base string) (uint64, error) {
	n, err := scrapeOne(base+"/debug/pprof/heap?debug=1&gc=1", "# HeapAlloc = ")
	return uint64(n), err
}

// idleHeap prints waiter serve's live heap per connection after a
// collection, against liveBefore, read after the RSS: the collection
// frees the garbage the connections' setup left, which the RSS still
// holds (the GC floor lets the heap grow 32 MB before a collection; none
// ran while they were opened). With -profile it prints what holds that
// heap.
func idleHeap(o options, waiter *process, liveBefore uint64) error {
	live, err := liveHeap(waiter.debug)
	if err != nil {
		return err
	}
	fmt.Printf("  of which live heap after a collection %11.0f per connection\n", float64(int64(live)-int64(liveBefore))/float64(o.conns))
	if o.profile == "" {
		return nil
	}
	path, err := saveHeap(waiter.debug, o.profile, "memory-idle-connections-heap")
	if err != nil {
		return err
	}
	fmt.Printf("-- heap profile of waiter serve with the idle connections open: %s\n", path)
	return printTop(o.waiter, path, "-sample_index=inuse_space")
}

// openIdle opens n connections to addr, sends one keep-alive GET /hello
// with the header lines head on each, reads its answer, and returns them
// open.
func openIdle(addr string, n int, head string) ([]net.Conn, error) {
	conns := make([]net.Conn, 0, n)
	req := []byte("GET /hello HTTP/1.1\r\nHost: " + addr + "\r\n" + head + "\r\n")
	for i := 0; i < n; i++ {
		c, err := net.DialTimeout("tcp", addr, 5*time.Second)
		if err != nil {
			return conns, fmt.Errorf("connection %d: %w", i, err)
		}
		conns = append(conns, c)
		_ = c.SetDeadline(time.Now().Add(10 * time.Second))
		if _, err := c.Write(req); err != nil {
			return conns, fmt.Errorf("connection %d: %w", i, err)
		}
		resp, err := http.ReadResponse(bufio.NewReader(c), nil)
		if err != nil {
			return conns, fmt.Errorf("connection %d: %w", i, err)
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		_ = resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			return conns, fmt.Errorf("connection %d: status %d", i, resp.StatusCode)
		}
		if resp.Close {
			return conns, fmt.Errorf("connection %d: the server closed the keep-alive connection", i)
		}
	}
	return conns, nil
}

func closeAll(conns []net.Conn) {
	for _, c := range conns {
		_ = c.Close()
	}
}

// groupRSS sums VmRSS over the processes of process group pgid (nginx's
// master and workers; waiter serve alone).
func groupRSS(pgid int) (int64, error) {
	entries, err := os.ReadDir("/proc")
	if err != nil {
		return 0, err
	}
	var total int64
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		if g, err := syscall.Getpgid(pid); err != nil || g != pgid {
			continue
		}
		b, err := os.ReadFile(filepath.Join("/proc", e.Name(), "status"))
		if err != nil {
			continue // exited meanwhile
		}
		for _, line := range strings.Split(string(b), "\n") {
			if f := strings.Fields(line); len(f) == 3 && f[0] == "VmRSS:" {
				kb, _ := strconv.ParseInt(f[1], 10, 64)
				total += kb * 1024
			}
		}
	}
	if total == 0 {
		return 0, fmt.Errorf("no process in group %d", pgid)
	}
	return total, nil
}

// raiseFileLimit lifts the soft limit on open files to the hard one, for
// this process and the servers it starts after.
func raiseFileLimit() {
	var l syscall.Rlimit
	if syscall.Getrlimit(syscall.RLIMIT_NOFILE, &l) == nil && l.Cur < l.Max {
		l.Cur = l.Max
		_ = syscall.Setrlimit(syscall.RLIMIT_NOFILE, &l)
	}
}

func mb(b int64) float64 { return float64(b) / (1 << 20) }
