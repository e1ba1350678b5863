package bolt_test

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/waiter-go/waiter/adapters/bolt"
)

// The kill -9 test re-executes this test binary as a writer process
// (TestHelperProcess), kills it with SIGKILL while its goroutines are
// writing, and checks that every write it acknowledged is in the file.
const (
	helperPathEnv  = "WAITER_BOLT_HELPER_DB"
	helperRoundEnv = "WAITER_BOLT_HELPER_ROUND"
	helperWorkers  = 4
	// helperMaxWrites bounds a helper that is never killed, so it cannot
	// write forever.
	helperMaxWrites = 5000
)

// TestHelperProcess is the writer process of TestKill9. It does nothing in
// a normal test run. Each worker goroutine loops: create a new token
// r<round>-w<worker>-<i> with seq i, then update its own token
// r<round>-w<worker> to seq i; after each call returns it prints
// "create|update <name> <seq>" on stdout. A printed line is an
// acknowledged write.
func TestHelperProcess(t *testing.T) {
	path := os.Getenv(helperPathEnv)
	if path == "" {
		t.Skip("writer process for TestKill9; runs only when re-executed by it")
	}
	round := os.Getenv(helperRoundEnv)
	// The parent holds our stdin open; EOF means it is gone, and an
	// orphaned writer must not keep running.
	go func() {
		_, _ = io.Copy(io.Discard, os.Stdin)
		os.Exit(4)
	}()
	s, err := bolt.Open(path)
	if err != nil {
		fmt.Println("ERR open:", err)
		os.Exit(2)
	}
	var mu sync.Mutex
	ack := func(format string, args ...any) {
		mu.Lock()
		defer mu.Unlock()
		fmt.Printf(format+"\n", args...)
	}
	var wg sync.WaitGroup
	for w := range helperWorkers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			own := fmt.Sprintf("r%s-w%d", round, w)
			for i := range helperMaxWrites {
				at := time.UnixMilli(int64(i))
				name := fmt.Sprintf("%s-%d", own, i)
				data := map[string]any{"cmd": "kitchen", "seq": i, "worker": w}
				if _, _, err := s.PutToken(name, data, "", "crash", at); err != nil {
					ack("ERR create %s: %v", name, err)
					os.Exit(3)
				}
				ack("create %s %d", name, i)
				if _, _, err := s.PutToken(own, data, "", "crash", at); err != nil {
					ack("ERR update %s: %v", own, err)
					os.Exit(3)
				}
				ack("update %s %d", own, i)
			}
		}()
	}
	wg.Wait()
	os.Exit(0)
}

func TestKill9(t *testing.T) {
	path := filepath.Join(t.TempDir(), "waiter.db")
	created := map[string]int{} // token -> seq it was created with
	updated := map[string]int{} // token -> highest acknowledged seq
	for round := range 3 {
		acks := writeUntilKilled(t, path, round, 300)
		for _, a := range acks {
			switch a.op {
			case "create":
				created[a.name] = a.seq
			case "update":
				updated[a.name] = max(updated[a.name], a.seq)
			}
		}

		s, err := bolt.Open(path)
		if err != nil {
			t.Fatalf("round %d: the file does not open after kill -9: %v", round, err)
		}
		for name, seq := range created {
			tok, err := s.GetToken(name, false)
			if err != nil {
				t.Fatalf("round %d: acknowledged token %s is missing: %v", round, name, err)
			}
			if tok.Data["seq"] != float64(seq) || tok.Data["cmd"] != "kitchen" {
				t.Fatalf("round %d: token %s = %v, want seq %d", round, name, tok.Data, seq)
			}
		}
		for name, seq := range updated {
			tok, err := s.GetToken(name, false)
			if err != nil {
				t.Fatalf("round %d: acknowledged token %s is missing: %v", round, name, err)
			}
			// A write may land without being acknowledged (killed between
			// commit and print), never the other way round.
			if got, _ := tok.Data["seq"].(float64); got < float64(seq) {
				t.Fatalf("round %d: token %s has seq %v, but seq %d was acknowledged", round, name, got, seq)
			}
		}
		if err := s.Close(); err != nil {
			t.Fatal(err)
		}
		t.Logf("round %d: %d acknowledged writes, all present (%d tokens checked)", round, len(acks), len(created)+len(updated))
	}
}

type ackLine struct {
	op, name string
	seq      int
}

// writeUntilKilled starts a writer process on path, sends it SIGKILL once
// it has acknowledged killAfter writes, and returns every acknowledgement
// it printed, including those already in the pipe when it died.
func writeUntilKilled(t *testing.T, path string, round, killAfter int) []ackLine {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^TestHelperProcess$", "-test.count=1")
	cmd.Env = append(os.Environ(), helperPathEnv+"="+path, helperRoundEnv+"="+strconv.Itoa(round))
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
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
	waited := false
	t.Cleanup(func() {
		if !waited {
			_ = cmd.Process.Kill()
			_ = cmd.Wait()
		}
		_ = stdin.Close()
	})

	var acks []ackLine
	killed := false
	sc := bufio.NewScanner(stdout)
	for sc.Scan() {
		line := sc.Text()
		a, err := parseAck(line)
		if err != nil {
			t.Fatalf("writer: %v", err)
		}
		acks = append(acks, a)
		if len(acks) == killAfter && !killed {
			if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
				t.Fatal(err)
			}
			killed = true
		}
	}
	err = cmd.Wait()
	waited = true
	if !killed {
		t.Fatalf("writer exited after %d acknowledgements, before the kill: %v\nstderr:\n%s", len(acks), err, stderr.String())
	}
	var exitErr *exec.ExitError
	if !errors.As(err, &exitErr) {
		t.Fatalf("writer: %v", err)
	}
	if ws, ok := exitErr.Sys().(syscall.WaitStatus); !ok || !ws.Signaled() || ws.Signal() != syscall.SIGKILL {
		t.Fatalf("writer ended with %v, want death by SIGKILL\nstderr:\n%s", err, stderr.String())
	}
	return acks
}

func parseAck(line string) (ackLine, error) {
	f := strings.Fields(line)
	if len(f) != 3 || (f[0] != "create" && f[0] != "update") {
		return ackLine{}, fmt.Errorf("unexpected line %q", line)
	}
	seq, err := strconv.Atoi(f[2])
	if err != nil {
		return ackLine{}, fmt.Errorf("unexpected line %q", line)
	}
	return ackLine{op: f[0], name: f[1], seq: seq}, nil
}
