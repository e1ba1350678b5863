package main

import (
	"fmt"
	"path/filepath"
	"strconv"
	"syscall"
	"time"
)

// startBareProxy runs one of the bare proxies (./fastproxy, ./loopproxy:
// no Waiter logic) named name in front of the kitchen and returns its
// port: the floor a Go proxy of that design reaches here. extra are more
// flags (loopproxy's -work).
func startBareProxy(name, bin, dir string, kitchenPort int, extra ...string) (*process, int, error) {
	port, err := freePort()
	if err != nil {
		return nil, 0, err
	}
	logPath := filepath.Join(dir, name+".out")
	argv := append([]string{bin, "-listen", "127.0.0.1:" + strconv.Itoa(port), "-backend", "127.0.0.1:" + strconv.Itoa(kitchenPort)}, extra...)
	p, err := start(name, logPath, argv...)
	if err != nil {
		return nil, 0, err
	}
	if _, err := awaitOK("http://127.0.0.1:"+strconv.Itoa(port)+"/status", 10*time.Second, 10*time.Millisecond); err != nil {
		p.stop(syscall.SIGTERM)
		return nil, 0, fmt.Errorf("%s: %w (see %s)", name, err, logPath)
	}
	return p, port, nil
}
