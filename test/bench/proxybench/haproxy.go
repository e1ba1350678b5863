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

// haproxyConfig proxies to the kitchen reusing server connections
// (http-reuse always), one thread per CPU, no logging: like nginx's, the
// configuration one would deploy in front of a service.
const haproxyConfig = `global
    maxconn 8192
    nbthread %d
defaults
    mode http
    timeout connect 5s
    timeout client 60s
    timeout server 60s
    option http-keep-alive
    http-reuse always
frontend fe
    bind 127.0.0.1:%d
    default_backend kitchen
backend kitchen
    server k1 127.0.0.1:%d
`

// startHAProxy runs haproxy in front of the kitchen and returns its port.
func startHAProxy(bin, dir string, kitchenPort int) (*process, int, error) {
	port, err := freePort()
	if err != nil {
		return nil, 0, err
	}
	conf := filepath.Join(dir, "haproxy.cfg")
	text := fmt.Sprintf(haproxyConfig, runtime.NumCPU(), port, kitchenPort)
	if err := os.WriteFile(conf, []byte(text), 0o644); err != nil {
		return nil, 0, err
	}
	p, err := start("haproxy", filepath.Join(dir, "haproxy.out"), bin, "-db", "-f", conf)
	if err != nil {
		return nil, 0, err
	}
	if _, err := awaitOK("http://127.0.0.1:"+strconv.Itoa(port)+"/status", 10*time.Second, 10*time.Millisecond); err != nil {
		p.stop(syscall.SIGTERM)
		return nil, 0, fmt.Errorf("haproxy: %w (see %s)", err, filepath.Join(dir, "haproxy.out"))
	}
	return p, port, nil
}
