package portowner

import (
	"bufio"
	"fmt"
	"net"
	"os"
	"os/exec"
	"slices"
	"strconv"
	"syscall"
	"testing"
)

// envListen makes the test binary a process that listens on
// 127.0.0.1:0, prints the port and waits for stdin to close.
const envListen = "PORTOWNER_TEST_LISTEN"

func TestMain(m *testing.M) {
	if os.Getenv(envListen) != "" {
		ln, err := net.Listen("tcp4", "127.0.0.1:0")
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(2)
		}
		fmt.Println(ln.Addr().(*net.TCPAddr).Port)
		_, _ = bufio.NewReader(os.Stdin).ReadString('\n')
		os.Exit(0)
	}
	os.Exit(m.Run())
}

func portOf(t *testing.T, ln net.Listener) int {
	t.Helper()
	return ln.Addr().(*net.TCPAddr).Port
}

// onlyListener returns the one listener reaching 127.0.0.1 on port.
func onlyListener(t *testing.T, port int) Listener {
	t.Helper()
	ls, err := LoopbackListeners(port)
	if err != nil {
		t.Fatal(err)
	}
	if len(ls) != 1 {
		t.Fatalf("listeners on port %d reaching 127.0.0.1: %v, want exactly one", port, ls)
	}
	return ls[0]
}

func TestOwnListenerIsFoundAndHeldByOurGroup(t *testing.T) {
	for _, network := range []string{"tcp4", "tcp"} { // 127.0.0.1 and the dual-stack wildcard
		addr := "127.0.0.1:0"
		if network == "tcp" {
			addr = ":0"
		}
		ln, err := net.Listen(network, addr)
		if err != nil {
			t.Fatal(err)
		}
		l := onlyListener(t, portOf(t, ln))
		if l.Inode == 0 {
			t.Fatalf("%s: listener %+v has no inode", network, l)
		}
		held, err := GroupHolds(syscall.Getpgrp(), l.Inode)
		if err != nil || !held {
			t.Errorf("%s: GroupHolds(our group) = %v, %v; want true", network, held, err)
		}
		if !slices.Contains(Holders(l.Inode), os.Getpid()) {
			t.Errorf("%s: Holders = %v, want it to list this process %d", network, Holders(l.Inode), os.Getpid())
		}
		_ = ln.Close()
		if ls, _ := LoopbackListeners(portOf(t, ln)); len(ls) != 0 {
			t.Errorf("%s: closed listener still listed: %v", network, ls)
		}
	}
}

// A listener held by another process group is not ours, and is its own
// group's; Holders names the process.
func TestListenerOfAnotherGroup(t *testing.T) {
	cmd := exec.Command(os.Args[0])
	cmd.Env = append(os.Environ(), envListen+"=1")
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = stdin.Close(); _ = cmd.Wait() })
	line, err := bufio.NewReader(stdout).ReadString('\n')
	if err != nil {
		t.Fatalf("the listening child said nothing: %v", err)
	}
	port, err := strconv.Atoi(line[:len(line)-1])
	if err != nil {
		t.Fatal(err)
	}
	l := onlyListener(t, port)
	if held, err := GroupHolds(syscall.Getpgrp(), l.Inode); err != nil || held {
		t.Errorf("GroupHolds(our group) = %v, %v for the child's socket; want false", held, err)
	}
	if held, err := GroupHolds(cmd.Process.Pid, l.Inode); err != nil || !held {
		t.Errorf("GroupHolds(child's group) = %v, %v; want true", held, err)
	}
	if h := Holders(l.Inode); !slices.Equal(h, []int{cmd.Process.Pid}) {
		t.Errorf("Holders = %v, want [%d]", h, cmd.Process.Pid)
	}
}

// sock_diag and the /proc tables report the same listeners: the fallback
// is the primary's equal.
func TestSockDiagAgreesWithProcTables(t *testing.T) {
	var want []Listener
	for _, addr := range []string{"127.0.0.1:0", "[::]:0"} {
		ln, err := net.Listen("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		defer ln.Close()
		ls, err := listenersProc()
		if err != nil {
			t.Fatal(err)
		}
		for _, l := range ls {
			if l.Port == portOf(t, ln) {
				want = append(want, l)
			}
		}
	}
	if len(want) != 2 {
		t.Fatalf("the /proc tables show %v, want the two listeners just opened", want)
	}
	got, err := listenersDiag()
	if err != nil {
		t.Fatalf("sock_diag: %v", err)
	}
	for _, w := range want {
		if !slices.Contains(got, w) {
			t.Errorf("sock_diag lacks %+v, which /proc/net shows", w)
		}
	}
}
