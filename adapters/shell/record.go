package shell

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"syscall"
	"time"
)

// The work folder records what runs, so that a router restarted after a
// crash can find what its predecessor left:
//
//	<WorkDir>/.lock                          flock held by the live scheduler
//	<WorkDir>/<service-id>/service.json      serviceRecord
//	<WorkDir>/<service-id>/<instance-id>/    the instance's cwd, its user's
//	    stdout, stderr                       its output
//	    instance.json                        instanceRecord
//
// instance.json exists exactly while the instance's process group may be
// running: it is written right after the launch and removed once the group
// is gone. A folder without it holds only the logs of a failed instance.
// Folder modes. Instances of other users must pass through the work and
// service folders (x), but need not list them; an instance folder, with
// its logs, is for its own user (and the router) only.
const (
	folderMode         = 0o711
	instanceFolderMode = 0o750
)

const (
	serviceRecordName  = "service.json"
	instanceRecordName = "instance.json"
	lockFileName       = ".lock"
	recordVersion      = 1
)

// serviceRecord is what a restarted router needs to run a service it adopts.
type serviceRecord struct {
	Version   int  `json:"version"`
	Spec      spec `json:"spec"`
	Requested int  `json:"requested"`
}

// instanceRecord names an instance's process group and how to prove that a
// live process is still it: boot id, pid and start time.
type instanceRecord struct {
	Version    int       `json:"version"`
	ServiceID  string    `json:"service-id"`
	InstanceID string    `json:"instance-id"`
	PID        int       `json:"pid"`
	PGID       int       `json:"pgid"`
	StartTicks uint64    `json:"start-ticks"`
	BootID     string    `json:"boot-id"`
	Ports      []int     `json:"ports"`
	StartedAt  time.Time `json:"started-at"`
	Argv       []string  `json:"argv"`
}

// writeJSON replaces path atomically, so a crash mid-write leaves the old
// record or the new one, never half of one. No fsync: records must survive
// a router crash, not a machine crash (after which no process survives).
func writeJSON(path string, v any) error {
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return fmt.Errorf("shell: encode %s: %w", path, err)
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*")
	if err != nil {
		return fmt.Errorf("shell: write %s: %w", path, err)
	}
	_, err = tmp.Write(append(b, '\n'))
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp.Name(), path)
	}
	if err != nil {
		_ = os.Remove(tmp.Name())
		return fmt.Errorf("shell: write %s: %w", path, err)
	}
	return nil
}

// readOwnedJSON decodes a record a restarted router acts on. An
// instance folder belongs to the instance's run-as-user, who could put a
// record of their own there naming any process group for the router to
// kill or adopt as root; so the record must be a regular file (not a
// link) owned by the router's own user, which nobody else can forge.
func readOwnedJSON(path string, v any) error {
	f, err := os.OpenFile(path, os.O_RDONLY|syscall.O_NOFOLLOW|syscall.O_NONBLOCK, 0)
	if err != nil {
		return err
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return fmt.Errorf("shell: %s: %w", path, err)
	}
	st, ok := fi.Sys().(*syscall.Stat_t)
	switch {
	case !fi.Mode().IsRegular():
		return fmt.Errorf("shell: %s: %w: not a regular file", path, errForeignRecord)
	case !ok || int(st.Uid) != os.Geteuid():
		return fmt.Errorf("shell: %s: %w: owned by uid %d, not by the router's", path, errForeignRecord, st.Uid)
	}
	b, err := io.ReadAll(io.LimitReader(f, maxRecordSize))
	if err != nil {
		return fmt.Errorf("shell: read %s: %w", path, err)
	}
	if err := json.Unmarshal(b, v); err != nil {
		return fmt.Errorf("shell: decode %s: %w", path, err)
	}
	return nil
}

// errForeignRecord means a record was not written by this router's user.
var errForeignRecord = errors.New("record not written by the router")

// maxRecordSize bounds what is read of a record; real ones are < 1 KiB.
const maxRecordSize = 1 << 20
