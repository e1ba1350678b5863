package shell

import (
	"net"
	"strconv"
)

// healthURL is where instance in's health is checked.
func healthURL(sp *spec, ports []int) string {
	proto := "http"
	if sp.BackendProto == "https" || sp.BackendProto == "h2" {
		proto = "https"
	}
	return proto + "://" + net.JoinHostPort(Host, strconv.Itoa(ports[sp.HealthCheckPortIndex])) + sp.HealthCheckURL
}
