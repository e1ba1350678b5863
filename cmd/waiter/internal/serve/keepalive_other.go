//go:build !linux

package serve

import "net"

// listenTCP is net.Listen: only Linux is known to copy the listening
// socket's keep-alive settings to accepted connections (keepalive_linux.go).
func listenTCP(addr string) (net.Listener, error) { return net.Listen("tcp", addr) }
