package shell

import (
	"os"
	"syscall"
	"testing"
)

func TestParseStat(t *testing.T) {
	t.Parallel()
	// The command may hold spaces and parentheses.
	line := "4242 (my (odd) cmd) S 1 4242 4242 0 -1 4194560 100 0 0 0 1 2 0 0 20 0 3 0 987654 123456789 321 18446744073709551615\n"
	st, err := parseStat(4242, []byte(line))
	if err != nil {
		t.Fatal(err)
	}
	if st.state != 'S' || st.pgrp != 4242 || st.startTicks != 987654 || st.rssPages != 321 {
		t.Errorf("parseStat = %+v", st)
	}
	if _, err := parseStat(1, []byte("1 (truncated")); err == nil {
		t.Errorf("a stat line without ')' parsed")
	}
	if _, err := parseStat(1, []byte("1 (x) S 1 2")); err == nil {
		t.Errorf("a short stat line parsed")
	}
}

func TestReadStatOfSelf(t *testing.T) {
	t.Parallel()
	st, err := readStat(os.Getpid())
	if err != nil {
		t.Fatal(err)
	}
	if st.dead() || st.startTicks == 0 || st.rssPages == 0 || st.pgrp != syscall.Getpgrp() {
		t.Errorf("readStat(self) = %+v", st)
	}
	if readBootID() == "" {
		t.Errorf("no boot id")
	}
	if !hasEnv(os.Getpid(), "PATH="+os.Getenv("PATH")) {
		t.Errorf("hasEnv(self, PATH) = false")
	}
}
