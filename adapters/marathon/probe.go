package marathon

import (
	"net"
	"strconv"
)

// healthURL is where an instance's health is checked, or "" when the
// app's check cannot be aimed at it.
func healthURL(protocol, host, path string, portIndex int, ports []int) string {
	if host == "" || portIndex < 0 || portIndex >= len(ports) {
		return ""
	}
	scheme := "http"
	if protocol == "HTTPS" || protocol == "MESOS_HTTPS" {
		scheme = "https"
	}
	return scheme + "://" + net.JoinHostPort(host, strconv.Itoa(ports[portIndex])) + path
}
