package shell

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"time"
)

// The work folder records what runs, so that a router restarted after a
// crash can find what its predecessor left:
//
//	<WorkDir>/.lock                          flock held by the live scheduler
//	<WorkDir>/<service-id>/service.json      serviceRecord
//	<WorkDir>/<service-id>/<instance-id>/    the instance's cwd and HOME
//	    stdout, stderr                       its output
//	    instance.json                        instanceRecord
//
// instance.json exists exactly while the instance's process group may be
// running: it is written right after the launch and removed once the group
// is gone. A folder without it holds only the logs of a failed instance.
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

func readJSON(path string, v any) error {
	b, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	if err := json.Unmarshal(b, v); err != nil {
		return fmt.Errorf("shell: decode %s: %w", path, err)
	}
	return nil
}
