package main

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"time"
)

// With -profile DIR, the Waiter under test serves its runtime profiles
// (its debug-listen), and the last round of every case takes a CPU
// profile of it while wrk loads it: each is written to DIR and its top
// functions printed after the case, so that the profile behind a figure
// comes from the very run that measured it.

// debugConfig is the line added to the Waiter's configuration.
const debugConfig = "debug-listen: 127.0.0.1:0\n"

var debugListening = regexp.MustCompile(`msg="waiter serve: debug listening" addr=(\S+)`)

// debugURL is the base URL of the debug listener the Waiter logging to
// logPath opened (it logs it before it listens for requests).
func debugURL(logPath string) (string, error) {
	addr, ok := grepLog(logPath, debugListening)
	if !ok {
		return "", fmt.Errorf("no debug listener in %s", logPath)
	}
	return "http://" + addr, nil
}

// pendingProfile is a CPU profile being taken.
type pendingProfile struct {
	done chan struct{}
	path string
	err  error
}

// startProfile asks the debug listener at base for a CPU profile of d
// (whole seconds, at least one), to be written to dir as name.pprof, and
// returns at once.
func startProfile(base string, d time.Duration, dir, name string) *pendingProfile {
	p := &pendingProfile{done: make(chan struct{})}
	secs := max(1, int(d/time.Second))
	go func() {
		defer close(p.done)
		url := fmt.Sprintf("%s/debug/pprof/profile?seconds=%d", base, secs)
		p.path, p.err = saveProfile(url, time.Duration(secs)*time.Second, dir, name)
	}()
	return p
}

// wait is the profile's file once written.
func (p *pendingProfile) wait() (string, error) {
	<-p.done
	return p.path, p.err
}

// saveProfile writes the profile url answers (taking as long as lasts,
// and up to 30 s more) to dir as name.pprof.
func saveProfile(url string, lasts time.Duration, dir, name string) (string, error) {
	ctx, cancel := context.WithTimeout(context.Background(), lasts+30*time.Second)
	defer cancel()
	status, body, err := request(ctx, http.DefaultClient, http.MethodGet, url, nil, nil)
	if err == nil && status != http.StatusOK {
		err = fmt.Errorf("GET %s: %d %.200s", url, status, body)
	}
	if err != nil {
		return "", err
	}
	path := filepath.Join(dir, name+".pprof")
	return path, os.WriteFile(path, []byte(body), 0o644)
}

// profileName is a file name for a case and a target's name.
func profileName(caseKey, target string) string {
	slug := strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' || r >= '0' && r <= '9' {
			return r
		}
		return '-'
	}, strings.ToLower(target))
	return caseKey + "-" + strings.Trim(strings.ReplaceAll(slug, "--", "-"), "-")
}

// saveHeap writes the heap profile of the debug listener at base (after
// a collection: live objects only) to dir as name.pprof.
func saveHeap(base, dir, name string) (string, error) {
	return saveProfile(base+"/debug/pprof/heap?gc=1", 0, dir, name)
}

// printTop prints the top functions of the profile at path, taken of
// the binary bin, by their own time and with their callees' (for a
// heap profile: the memory in use they allocated).
func printTop(bin, path string, extra ...string) error {
	for _, sort := range []string{"-flat", "-cum"} {
		args := append([]string{"tool", "pprof", "-top", sort, "-nodecount=20"}, extra...)
		cmd := exec.Command("go", append(args, bin, path)...)
		out, err := cmd.CombinedOutput()
		if err != nil {
			return fmt.Errorf("go tool pprof %s: %w\n%s", path, err, out)
		}
		fmt.Printf("%s", out)
	}
	return nil
}
