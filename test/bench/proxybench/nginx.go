package main

import (
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"syscall"
	"time"
)

// nginxConfig proxies to the kitchen over kept-alive upstream
// connections (keepalive, HTTP/1.1 and an empty Connection header are
// what nginx needs for that), one worker per CPU, no access log, request
// bodies up to 2 MiB buffered in memory: the configuration one would
// deploy in front of a service.
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
}
`

// startNginx runs nginx in front of the kitchen and returns its port.
func startNginx(bin, dir string, kitchenPort int) (*process, int, error) {
	port, err := freePort()
	if err != nil {
		return nil, 0, err
	}
	user := "" // as root, nginx's workers would drop to nobody and lose the temp folders
	if os.Geteuid() == 0 {
		user = "user root;"
	}
	conf := filepath.Join(dir, "nginx.conf")
	text := fmt.Sprintf(nginxConfig, user, runtime.NumCPU(), dir, kitchenPort, port)
	if err := os.WriteFile(conf, []byte(text), 0o644); err != nil {
		return nil, 0, err
	}
	p, err := start("nginx", filepath.Join(dir, "nginx.out"), bin, "-p", dir, "-c", conf)
	if err != nil {
		return nil, 0, err
	}
	if _, err := awaitOK("http://127.0.0.1:"+strconv.Itoa(port)+"/status", 10*time.Second, 10*time.Millisecond); err != nil {
		p.stop(syscall.SIGQUIT)
		return nil, 0, fmt.Errorf("nginx: %w (see %s)", err, filepath.Join(dir, "error.log"))
	}
	return p, port, nil
}
