package zktest

import (
	"bufio"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/waiter-go/waiter/internal/freeport"
	"github.com/waiter-go/waiter/internal/procgroup"
)

// Script is Debian's launcher; start-foreground execs java, so the
// process it starts is the server itself.
const Script = "/usr/share/zookeeper/bin/zkServer.sh"

// StartTimeout bounds how long Start waits for a server to answer ruok.
// A JVM start takes about 4 s on the CI machines; with two cores shared by
// several test binaries it can take several times that.
const StartTimeout = 90 * time.Second

// TickTime is the servers' tick: ZooKeeper bounds session timeouts to
// [2, 20] ticks, so 500 ms allows sessions from 1 s to 10 s, short enough
// for tests of session expiry.
const TickTime = 500 * time.Millisecond

// Server is one ZooKeeper server process.
type Server struct {
	// ID is the server's id in its ensemble (1 for a standalone server).
	ID int
	// Port is the client port on 127.0.0.1.
	Port int
	dir  string
	cfg  string

	mu   sync.Mutex
	cmd  *exec.Cmd
	done chan struct{}
}

// Addr is host:port of the client port.
func (s *Server) Addr() string { return net.JoinHostPort("127.0.0.1", strconv.Itoa(s.Port)) }

// Available reports whether the zookeeperd package is installed.
func Available() error {
	if _, err := os.Stat(Script); err != nil {
		return fmt.Errorf("zktest: ZooKeeper is not installed (Debian package zookeeperd; .ci/deps installs it): %w", err)
	}
	return nil
}

// freePorts returns n distinct free ports on 127.0.0.1, from outside the
// kernel's ephemeral range (internal/freeport): the JVM binds them
// seconds later, and a port 0 listener's port could be any outgoing
// connection's by then.
func freePorts(n int) ([]int, error) {
	ports, err := freeport.TCP(n)
	if err != nil {
		return nil, fmt.Errorf("zktest: %w", err)
	}
	return ports, nil
}

// writeConfig writes the server's zoo.cfg (and myid in an ensemble).
func (s *Server) writeConfig(peers []string) error {
	data := filepath.Join(s.dir, "data")
	if err := os.MkdirAll(data, 0o755); err != nil {
		return err
	}
	lines := []string{
		"tickTime=" + strconv.Itoa(int(TickTime/time.Millisecond)),
		"initLimit=20", "syncLimit=10",
		"dataDir=" + data,
		"clientPort=" + strconv.Itoa(s.Port),
		"clientPortAddress=127.0.0.1",
		"admin.enableServer=false",
		"4lw.commands.whitelist=ruok,stat,srvr",
		// Tests make few nodes; no snapshot or purge work needed.
		"autopurge.purgeInterval=0",
		// No fsync per write: a test's server is stopped or killed, never
		// loses power, and what it wrote is in the OS's cache either way.
		// On a CI machine whose disk other tests keep busy an fsync can
		// take seconds, which a test would see as ZooKeeper hanging.
		"forceSync=no",
	}
	if len(peers) > 0 {
		lines = append(lines, peers...)
		if err := os.WriteFile(filepath.Join(data, "myid"), []byte(strconv.Itoa(s.ID)+"\n"), 0o644); err != nil {
			return err
		}
	}
	s.cfg = filepath.Join(s.dir, "zoo.cfg")
	return os.WriteFile(s.cfg, []byte(strings.Join(lines, "\n")+"\n"), 0o644)
}

// slf4jSimple is Debian's simple SLF4J binding (libslf4j-java, which
// the zookeeper package depends on).
const slf4jSimple = "/usr/share/java/slf4j-simple.jar"

// loggingClassPath gives the server a logger. Debian's zookeeper.jar
// brings no SLF4J binding, so the server logs nothing at all; with the
// simple one it logs to stderr, which is its log file, and a failing test
// prints the end of it (sessions expired or refused, slow disks). The
// launcher puts JVMFLAGS after its own -cp, and java takes the last one.
func loggingClassPath() string {
	if _, err := os.Stat(slf4jSimple); err != nil {
		return ""
	}
	return " -cp /etc/zookeeper/conf:/usr/share/java/zookeeper.jar:" + slf4jSimple
}

// launch starts the process; it does not wait for it to serve.
func (s *Server) launch() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.cmd != nil {
		return fmt.Errorf("zktest: server %d is already running", s.ID)
	}
	logf, err := os.OpenFile(filepath.Join(s.dir, "server.log"), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return err
	}
	cmd := exec.Command(Script, "start-foreground", s.cfg)
	// The JVM flags keep a test server small and quick to start; logs go
	// to the console, which is the server's log file here.
	cmd.Env = append(os.Environ(),
		"JVMFLAGS=-Xmx128m -Xss512k -XX:+UseSerialGC -XX:TieredStopAtLevel=1 -Xshare:auto "+
			"-Dzookeeper.log.dir="+s.dir+" -Dzookeeper.root.logger=INFO,CONSOLE -Dzookeeper.console.threshold=INFO"+
			loggingClassPath(),
		"ZOO_LOG_DIR="+s.dir)
	cmd.Stdout, cmd.Stderr = logf, logf
	cmd.SysProcAttr = procgroup.OwnGroupDyingWithUs(syscall.SIGKILL)
	if err := cmd.Start(); err != nil {
		_ = logf.Close()
		return fmt.Errorf("zktest: starting ZooKeeper: %w", err)
	}
	done := make(chan struct{})
	go func() {
		_ = cmd.Wait()
		_ = logf.Close()
		close(done)
	}()
	s.cmd, s.done = cmd, done
	return nil
}

// waitReady waits until the server answers ruok with imok (and, in an
// ensemble, srvr says it serves: a quorum formed).
func (s *Server) waitReady(deadline time.Time) error {
	for {
		s.mu.Lock()
		done := s.done
		s.mu.Unlock()
		if done == nil {
			return fmt.Errorf("zktest: server %d is not running", s.ID)
		}
		select {
		case <-done:
			return fmt.Errorf("zktest: server %d exited while starting; its log: %s", s.ID, s.tail())
		default:
		}
		if out, err := FourLetter(s.Addr(), "srvr"); err == nil && strings.Contains(out, "Mode: ") {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("zktest: server %d did not serve on %s within %s; its log: %s", s.ID, s.Addr(), StartTimeout, s.tail())
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// FourLetter sends one of ZooKeeper's four-letter commands and returns
// the answer.
func FourLetter(addr, cmd string) (string, error) {
	c, err := net.DialTimeout("tcp", addr, time.Second)
	if err != nil {
		return "", err
	}
	defer c.Close()
	_ = c.SetDeadline(time.Now().Add(2 * time.Second))
	if _, err := c.Write([]byte(cmd)); err != nil {
		return "", err
	}
	var b strings.Builder
	sc := bufio.NewScanner(c)
	for sc.Scan() {
		b.WriteString(sc.Text())
		b.WriteByte('\n')
	}
	return b.String(), nil
}

// tail returns the end of the server's log, for failure messages.
func (s *Server) tail() string { return s.logTail(2000) }

// logTail returns the last n bytes of the server's log.
func (s *Server) logTail(n int) string {
	b, _ := os.ReadFile(filepath.Join(s.dir, "server.log"))
	if len(b) > n {
		b = b[len(b)-n:]
	}
	return string(b)
}

// Running reports whether the server process is alive.
func (s *Server) Running() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.cmd != nil
}

// Stop ends the server with SIGTERM and waits for it to exit (SIGKILL
// after 10 s).
func (s *Server) Stop() error { return s.signal(syscall.SIGTERM) }

// Kill ends the server with SIGKILL (kill -9) and waits for it to exit.
func (s *Server) Kill() error { return s.signal(syscall.SIGKILL) }

func (s *Server) signal(sig syscall.Signal) error {
	s.mu.Lock()
	cmd, done := s.cmd, s.done
	s.mu.Unlock()
	if cmd == nil {
		return nil
	}
	_ = cmd.Process.Signal(sig)
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		_ = cmd.Process.Kill()
		<-done
	}
	s.mu.Lock()
	s.cmd, s.done = nil, nil
	s.mu.Unlock()
	return nil
}

// Restart starts a stopped server again on the same port and data, and
// waits until it serves.
func (s *Server) Restart() error {
	if err := s.launch(); err != nil {
		return err
	}
	return s.waitReady(time.Now().Add(StartTimeout))
}
