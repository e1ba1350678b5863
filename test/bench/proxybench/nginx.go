package main

import (
	"context"
	"encoding/base64"
	"fmt"
	"net/http"
	"os"
	"os/user"
	"path/filepath"
	"runtime"
	"strconv"
	"syscall"
	"time"

	"github.com/waiter-go/waiter/internal/freeport"
)

// nginxConfig proxies to the kitchen over kept-alive upstream
// connections (keepalive, HTTP/1.1 and an empty Connection header are
// what nginx needs for that), one worker per CPU, no access log, request
// bodies up to 2 MiB buffered in memory: the configuration one would
// deploy in front of a service. Its second server (waiterHeadersServer)
// does the same in front of a second kitchen, adding the headers Waiter
// adds to every request to an instance.
const nginxConfig = `%s
worker_processes %d;
daemon off;
pid %[3]s/nginx.pid;
error_log %[3]s/error.log warn;
events { worker_connections 4096; }
http {
    access_log off;
    client_body_temp_path %[3]s/client_body;
    proxy_temp_path %[3]s/proxy;
    fastcgi_temp_path %[3]s/fastcgi;
    uwsgi_temp_path %[3]s/uwsgi;
    scgi_temp_path %[3]s/scgi;
    upstream kitchen {
        server 127.0.0.1:%[4]d;
        keepalive 64;
    }
    upstream guarded_kitchen {
        server 127.0.0.1:%[6]d;
        keepalive 64;
    }
    # The 1 MiB upload case: accepted, and buffered in memory rather
    # than in a temp file.
    client_max_body_size 8m;
    client_body_buffer_size 2m;
    server {
        listen 127.0.0.1:%[5]d;
        location / {
            proxy_pass http://kitchen;
            proxy_http_version 1.1;
            proxy_set_header Connection "";
        }
    }
%[7]s
}
`

// waiterHeadersServer is nginx sending an instance what Waiter sends
// it besides the client's own headers (adapters/http backendHeaders): the
// instance's credentials, which the kitchen checks as a Waiter instance
// does (WAITER_USERNAME/WAITER_PASSWORD), a new correlation id per
// request, Via, and the caller in the two principal headers. Waiter's
// protocol makes the instance read these on every request, so a proxy
// in Waiter's place costs the backend as much more: set beside plain
// nginx, it tells how much of Waiter's gap to nginx is the router and
// how much the five headers' cost to the backend. Its parameters: the
// port, the Basic credentials, the user.
const waiterHeadersServer = `    server {
        listen 127.0.0.1:%d;
        location / {
            proxy_pass http://guarded_kitchen;
            proxy_http_version 1.1;
            proxy_set_header Connection "";
            proxy_set_header Authorization "Basic %s";
            proxy_set_header Via "1.1 nginx";
            proxy_set_header X-Cid $request_id;
            proxy_set_header X-Waiter-Auth-Principal "%[3]s";
            proxy_set_header X-Waiter-Authenticated-Principal "%[3]s";
        }
    }`

// guardedKitchen is the second kitchen, behind nginx's second server:
// its port, and the credentials it checks on every request (those a
// Waiter instance is given) for the user nginx names as the caller.
type guardedKitchen struct {
	port                 int
	user, username, pass string
}

// startNginx runs nginx in front of the kitchen and returns its port,
// and with its second server in front of guarded, that server's port.
func startNginx(bin, dir string, kitchenPort int, guarded guardedKitchen) (*process, int, int, error) {
	ports, err := freeport.TCP(2)
	if err != nil {
		return nil, 0, 0, err
	}
	port, hport := ports[0], ports[1]
	user := "" // as root, nginx's workers would drop to nobody and lose the temp folders
	if os.Geteuid() == 0 {
		user = "user root;"
	}
	conf := filepath.Join(dir, "nginx.conf")
	basic := base64.StdEncoding.EncodeToString([]byte(guarded.username + ":" + guarded.pass))
	text := fmt.Sprintf(nginxConfig, user, runtime.NumCPU(), dir, kitchenPort, port, guarded.port,
		fmt.Sprintf(waiterHeadersServer, hport, basic, guarded.user))
	if err := os.WriteFile(conf, []byte(text), 0o644); err != nil {
		return nil, 0, 0, err
	}
	p, err := start("nginx", filepath.Join(dir, "nginx.out"), bin, "-p", dir, "-c", conf)
	if err != nil {
		return nil, 0, 0, err
	}
	// /hello, not /status: the kitchen checks credentials on every path
	// but a few, so a 200 here says nginx's second server sends them.
	for _, pt := range []int{port, hport} {
		if _, err := awaitOK("http://127.0.0.1:"+strconv.Itoa(pt)+"/hello", 10*time.Second, 10*time.Millisecond); err != nil {
			p.stop(syscall.SIGQUIT)
			return nil, 0, 0, fmt.Errorf("nginx: %w (see %s)", err, filepath.Join(dir, "error.log"))
		}
	}
	return p, port, hport, nil
}

// nginxWaiterHeaders names nginx's second server among the targets.
const nginxWaiterHeaders = "nginx + waiter hdrs"

// guardedProcess is the second kitchen and what nginx needs to reach it.
type guardedProcess struct {
	*process
	guardedKitchen
}

// startGuardedKitchen runs the kitchen nginx's second server proxies
// to, with credentials to check, as Waiter starts its instances.
func startGuardedKitchen(bin, dir string) (*guardedProcess, error) {
	port, err := freePort()
	if err != nil {
		return nil, err
	}
	u, err := user.Current()
	if err != nil {
		return nil, err
	}
	g := guardedKitchen{port: port, user: u.Username, username: "waiter", pass: strconv.FormatInt(time.Now().UnixNano(), 36)}
	p, err := startKitchen(bin, dir, port, "WAITER_USERNAME="+g.username, "WAITER_PASSWORD="+g.pass)
	if err != nil {
		return nil, err
	}
	// Without the credentials it must refuse, or it checks nothing and
	// nginx's second server costs it less than Waiter does its instance.
	status, _, err := request(context.Background(), http.DefaultClient, http.MethodGet, fmt.Sprintf("http://127.0.0.1:%d/hello", port), nil, nil)
	if err != nil || status != http.StatusForbidden {
		p.stop(syscall.SIGTERM)
		return nil, fmt.Errorf("the guarded kitchen answered %d (%v) without credentials, not 403", status, err)
	}
	return &guardedProcess{p, g}, nil
}
