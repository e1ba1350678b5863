package localproc

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
)

// Spec is one program to start.
type Spec struct {
	// Argv is the program and its arguments; Argv[0] is looked up in PATH
	// when it has no slash.
	Argv []string
	// Env is the whole environment ("NAME=value"); nothing is inherited.
	Env []string
	// Dir is the program's working folder. Start makes it with DirMode
	// and fails if anything is already there, so no earlier file or
	// symlink can be mistaken for the program's own. Its parent must
	// exist.
	Dir     string
	DirMode os.FileMode
	// Credential runs the program as another account (uid, gid and
	// supplementary groups); nil runs it as this process's user.
	Credential *syscall.Credential
	// User names the Credential's account in errors.
	User string
}

// Output files in Dir, appended to across restarts of the same folder's
// program and readable by the operator.
const (
	StdoutName = "stdout"
	StderrName = "stderr"
	outputMode = 0o644
)

// Start starts s as the leader of a new process group and returns it
// running: the caller waits for it (cmd.Wait) and signals its group;
// cmd no longer holds the environment or the output files.
// Output goes to the child as file descriptors, so no goroutine copies it
// and it survives this process. No Pdeathsig: a scheduler's processes
// must outlive a crashed scheduler, to be adopted or cleaned up by the
// next one.
func Start(s Spec) (*exec.Cmd, error) {
	if len(s.Argv) == 0 || s.Argv[0] == "" {
		return nil, errors.New("localproc: start: no program given")
	}
	if err := os.Mkdir(s.Dir, s.DirMode); err != nil {
		return nil, fmt.Errorf("localproc: working folder: %w", err)
	}
	stdout, err := openOutput(filepath.Join(s.Dir, StdoutName))
	if err != nil {
		return nil, err
	}
	defer stdout.Close()
	stderr, err := openOutput(filepath.Join(s.Dir, StderrName))
	if err != nil {
		return nil, err
	}
	defer stderr.Close()
	if s.Credential != nil {
		// The folder and the output files become the account's, so the
		// program can write in its cwd and reopen its logs. They were
		// made by us first, while nobody else could put anything (a
		// symlink, say) in their place.
		uid, gid := int(s.Credential.Uid), int(s.Credential.Gid)
		for _, f := range []*os.File{stdout, stderr} {
			if err := f.Chown(uid, gid); err != nil {
				return nil, fmt.Errorf("localproc: give %s to %s: %w", f.Name(), s.User, err)
			}
		}
		if err := os.Chown(s.Dir, uid, gid); err != nil {
			return nil, fmt.Errorf("localproc: give %s to %s: %w", s.Dir, s.User, err)
		}
	}
	cmd := exec.Command(s.Argv[0], s.Argv[1:]...)
	cmd.Dir = s.Dir
	cmd.Env = s.Env
	cmd.Stdout, cmd.Stderr = stdout, stderr
	// Its own process group, so that stopping it stops what it forked.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Credential: s.Credential}
	if err := cmd.Start(); err != nil {
		if s.Credential != nil {
			return nil, fmt.Errorf("localproc: start as %s: %w", s.User, err)
		}
		return nil, fmt.Errorf("localproc: start: %w", err)
	}
	// The child has its own copies now, and the caller keeps cmd for
	// the process's whole life only to wait for it: without these, a
	// long-lived instance does not hold its environment (about 1 KB)
	// and two closed files with their names.
	cmd.Env, cmd.Stdout, cmd.Stderr = nil, nil, nil
	return cmd, nil
}

func openOutput(path string) (*os.File, error) {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_APPEND, outputMode)
	if err != nil {
		return nil, fmt.Errorf("localproc: output file: %w", err)
	}
	return f, nil
}
