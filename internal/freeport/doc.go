// Package freeport finds loopback ports for a server that another
// process will bind later: a test's ZooKeeper, KDC or Kubernetes API
// server, a benchmark's proxies, a calibration run's router.
//
// Asking the kernel for port 0 and closing the listener leaves a window
// (a JVM's start: seconds) in which the kernel may give the same port to
// anyone else who asks for one: a listener on port 0, or the local end of
// any outgoing connection, which a test run makes by the thousand. The
// server then fails with "address already in use". The ports here are
// drawn from outside the kernel's ephemeral range
// (net.ipv4.ip_local_port_range), which the kernel never hands out on its
// own, and checked free by binding them.
package freeport
