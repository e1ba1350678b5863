package portowner

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"strconv"
	"strings"
	"syscall"

	"github.com/waiter-go/waiter/internal/procgroup"
)

// tables are the socket tables read, IPv4 first.
var tables = []string{"/proc/net/tcp", "/proc/net/tcp6"}

// LoopbackListeners lists the listening sockets on port that receive
// connections to 127.0.0.1:port. It asks sock_diag (netlink.go) and falls
// back to the /proc tables when that is unavailable.
func LoopbackListeners(port int) ([]Listener, error) {
	all, err := listenersDiag()
	if err != nil {
		if all, err = listenersProc(); err != nil {
			return nil, err
		}
	}
	var out []Listener
	for _, l := range all {
		if l.Port == port && l.ReachesLoopback() {
			out = append(out, l)
		}
	}
	return out, nil
}

// errNoFamily means the kernel has no sock_diag handler for a family
// (IPv6 disabled): it has no such sockets either.
var errNoFamily = errors.New("portowner: address family not handled by sock_diag")

// listenersDiag is every listening TCP socket, from sock_diag. A kernel
// without IPv6 has no IPv6 listeners: that is not an error.
func listenersDiag() ([]Listener, error) {
	v4, err := listenersNetlink(syscall.AF_INET)
	if err != nil {
		return nil, err
	}
	v6, err := listenersNetlink(syscall.AF_INET6)
	if err != nil && !errors.Is(err, errNoFamily) {
		return nil, err
	}
	return append(v4, v6...), nil
}

// listenersProc is every listening TCP socket, from /proc/net/tcp and
// tcp6. A host without IPv6 has no tcp6 table: that is not an error.
func listenersProc() ([]Listener, error) {
	var out []Listener
	for i, path := range tables {
		b, err := os.ReadFile(path)
		if err != nil {
			if i > 0 && errors.Is(err, fs.ErrNotExist) {
				continue
			}
			return nil, fmt.Errorf("portowner: %w", err)
		}
		ls, err := ParseTable(b)
		if err != nil {
			return nil, fmt.Errorf("portowner: %s: %w", path, err)
		}
		out = append(out, ls...)
	}
	return out, nil
}

// GroupHolds reports whether a process of group pgid has the socket
// inode open. Only the group's members are searched (their /stat, then
// their /fd). The group's leader and its descendants come first
// (treeHolds): that is where an instance's server runs, and it spares a
// cold start a read of every process's /stat on the host (2-3 ms on a
// busy machine, in the way of every instance's first healthy probe).
// Only when they do not hold it are all processes searched, so the
// answer is the same.
func GroupHolds(pgid int, inode uint64) (bool, error) {
	if treeHolds(pgid, inode) {
		return true, nil
	}
	pids, err := allPIDs()
	if err != nil {
		return false, err
	}
	for _, pid := range pids {
		b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
		if err != nil {
			continue // gone meanwhile
		}
		if _, pgrp, ok := procgroup.ParseStat(b); ok && pgrp == pgid && holds(pid, inode) {
			return true, nil
		}
	}
	return false, nil
}

// maxTreeSearch bounds the processes treeHolds visits.
const maxTreeSearch = 256

// treeHolds reports whether the process pgid or one of its descendants in
// group pgid has the socket inode open. It finds children through
// /proc/<pid>/task/<tid>/children; where the kernel lacks those files it
// finds only the leader, and GroupHolds searches every process.
func treeHolds(pgid int, inode uint64) bool {
	queue := []int{pgid}
	for n := 0; n < len(queue) && n < maxTreeSearch; n++ {
		pid := queue[n]
		b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
		if err != nil {
			continue // gone meanwhile
		}
		if _, pgrp, ok := procgroup.ParseStat(b); ok && pgrp == pgid && holds(pid, inode) {
			return true
		}
		queue = appendChildren(queue, pid)
	}
	return false
}

// appendChildren appends pid's children, as every thread of pid lists
// them, to out.
func appendChildren(out []int, pid int) []int {
	dir := "/proc/" + strconv.Itoa(pid) + "/task"
	d, err := os.Open(dir)
	if err != nil {
		return out
	}
	tids, _ := d.Readdirnames(-1)
	_ = d.Close()
	for _, tid := range tids {
		b, err := os.ReadFile(dir + "/" + tid + "/children")
		if err != nil {
			continue
		}
		for _, f := range strings.Fields(string(b)) {
			if child, err := strconv.Atoi(f); err == nil {
				out = append(out, child)
			}
		}
	}
	return out
}

// Holders lists the processes this process can see holding the socket
// inode: every process when it runs as root, its own user's otherwise.
// It reads every process's fd table, so it is for naming a culprit, not
// for routine checks.
func Holders(inode uint64) []int {
	pids, err := allPIDs()
	if err != nil {
		return nil
	}
	var out []int
	for _, pid := range pids {
		if holds(pid, inode) {
			out = append(out, pid)
		}
	}
	return out
}

// holds reports whether process pid has socket inode among its open files.
func holds(pid int, inode uint64) bool {
	dir := "/proc/" + strconv.Itoa(pid) + "/fd"
	d, err := os.Open(dir)
	if err != nil {
		return false // gone, or another user's while we are not root
	}
	names, _ := d.Readdirnames(-1)
	_ = d.Close()
	want := "socket:[" + strconv.FormatUint(inode, 10) + "]"
	for _, n := range names {
		if link, err := os.Readlink(dir + "/" + n); err == nil && link == want {
			return true
		}
	}
	return false
}

func allPIDs() ([]int, error) {
	d, err := os.Open("/proc")
	if err != nil {
		return nil, fmt.Errorf("portowner: %w", err)
	}
	names, err := d.Readdirnames(-1)
	_ = d.Close()
	if err != nil {
		return nil, fmt.Errorf("portowner: list /proc: %w", err)
	}
	pids := make([]int, 0, len(names))
	for _, n := range names {
		if pid, err := strconv.Atoi(n); err == nil {
			pids = append(pids, pid)
		}
	}
	return pids, nil
}
