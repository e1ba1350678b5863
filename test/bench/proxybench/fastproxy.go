package main

import (
	"fmt"
	"path/filepath"
	"strconv"
	"syscall"
	"time"
)

// startFastProxy runs the bare fasthttp proxy (./fastproxy) in front of
// the kitchen and returns its port: the floor a Go proxy reaches here.
func startFastProxy(bin, dir string, kitchenPort int) (*process, int, error) {
	port, err := freePort()
	if err != nil {
		return nil, 0, err
	}
	p, err := start("fastproxy", filepath.Join(dir, "fastproxy.out"), bin,
		"-listen", "127.0.0.1:"+strconv.Itoa(port), "-backend", "127.0.0.1:"+strconv.Itoa(kitchenPort))
	if err != nil {
		return nil, 0, err
	}
	if _, err := awaitOK("http://127.0.0.1:"+strconv.Itoa(port)+"/status", 10*time.Second, 10*time.Millisecond); err != nil {
		p.stop(syscall.SIGTERM)
		return nil, 0, fmt.Errorf("fastproxy: %w (see %s)", err, filepath.Join(dir, "fastproxy.out"))
	}
	return p, port, nil
}
