package kitchen

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestOpenLog_FileGoesToTheSandbox(t *testing.T) {
	dir := t.TempDir()
	w, closeLog, err := openLog("file", env(map[string]string{"MESOS_SANDBOX": dir}))
	if err != nil {
		t.Fatalf("openLog: %v", err)
	}
	if _, err := w.Write([]byte("hello log\n")); err != nil {
		t.Fatal(err)
	}
	closeLog()
	got, err := os.ReadFile(filepath.Join(dir, "kitchen.log"))
	if err != nil || !strings.Contains(string(got), "hello log") {
		t.Fatalf("kitchen.log = %q (err %v)", got, err)
	}
}

func TestOpenLog_Streams(t *testing.T) {
	for output, want := range map[string]*os.File{"stdout": os.Stdout, "stderr": os.Stderr} {
		w, closeLog, err := openLog(output, env(nil))
		if err != nil || w != want {
			t.Errorf("%s: got %v (err %v)", output, w, err)
		}
		closeLog()
	}
	if _, _, err := openLog("syslog", env(nil)); err == nil {
		t.Error("unknown output accepted")
	}
}
