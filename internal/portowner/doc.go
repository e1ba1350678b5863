// Package portowner finds out who listens on a local TCP port on Linux:
// the kernel's sock_diag netlink interface (or, where it is missing,
// /proc/net/tcp and /proc/net/tcp6) lists listening sockets with their
// inodes, and /proc/<pid>/fd links name the processes that hold each
// socket ("socket:[inode]").
//
// The shell scheduler uses it before it calls an instance healthy: the
// socket that would receive the health check and the traffic must belong
// to the instance's own process group, so that a stray local process on
// a reserved port never receives either.
package portowner
