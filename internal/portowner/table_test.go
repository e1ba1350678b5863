package portowner

import (
	"net/netip"
	"strings"
	"testing"
)

// A /proc/net/tcp as a little-endian Linux writes it: a listener on
// 0.0.0.0:2024, one on 127.0.0.1:46235, one on 10.1.2.3:8080, and an
// established connection (st 01) from 127.0.0.1:42937, which is skipped.
const tcpFixture = `  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
   0: 00000000:07E8 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 1061 1 0000000059b641fe 100 0 0 10 0
   1: 0100007F:B49B 00000000:0000 0A 00000000:00000000 00:00000000 00000000  1000        0 31970 2 000000006bbe9913 100 0 0 10 0
   2: 0302010A:1F90 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 4242 1 0000000059b641fe 100 0 0 10 0
   3: 0100007F:A7B9 0100007F:CEAC 01 00000000:00000000 03:00000517 00000000     0        0 777 3 00000000e48186e7
`

// A /proc/net/tcp6: listeners on [::]:8080, [::1]:8080 and
// [::ffff:127.0.0.1]:9090.
const tcp6Fixture = `  sl  local_address                         remote_address                        st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
   0: 00000000000000000000000000000000:1F90 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 5001 1 0000000000000000 100 0 0 10 0
   1: 00000000000000000000000001000000:1F90 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 5002 1 0000000000000000 100 0 0 10 0
   2: 0000000000000000FFFF00000100007F:2382 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 5003 1 0000000000000000 100 0 0 10 0
`

func TestParseTableIPv4(t *testing.T) {
	ls, err := ParseTable([]byte(tcpFixture))
	if err != nil {
		t.Fatal(err)
	}
	want := []Listener{
		{netip.MustParseAddr("0.0.0.0"), 2024, 1061},
		{netip.MustParseAddr("127.0.0.1"), 46235, 31970},
		{netip.MustParseAddr("10.1.2.3"), 8080, 4242},
	}
	if len(ls) != len(want) {
		t.Fatalf("got %v, want %v (the established connection is not a listener)", ls, want)
	}
	for i := range want {
		if ls[i] != want[i] {
			t.Errorf("listener %d = %+v, want %+v", i, ls[i], want[i])
		}
	}
	for i, reaches := range []bool{true, true, false} {
		if ls[i].ReachesLoopback() != reaches {
			t.Errorf("%v ReachesLoopback = %v, want %v", ls[i].Addr, !reaches, reaches)
		}
	}
}

func TestParseTableIPv6(t *testing.T) {
	ls, err := ParseTable([]byte(tcp6Fixture))
	if err != nil {
		t.Fatal(err)
	}
	want := []struct {
		addr    string
		port    int
		inode   uint64
		reaches bool
	}{
		{"::", 8080, 5001, true},
		{"::1", 8080, 5002, false}, // 127.0.0.1 is not ::1
		{"::ffff:127.0.0.1", 9090, 5003, true},
	}
	if len(ls) != len(want) {
		t.Fatalf("got %v", ls)
	}
	for i, w := range want {
		l := ls[i]
		if l.Addr != netip.MustParseAddr(w.addr) || l.Port != w.port || l.Inode != w.inode || l.ReachesLoopback() != w.reaches {
			t.Errorf("listener %d = %+v (reaches 127.0.0.1: %v), want %+v", i, l, l.ReachesLoopback(), w)
		}
	}
}

func TestParseTableRejectsGarbage(t *testing.T) {
	for name, text := range map[string]string{
		"short line": "header local_address\n 0: 0100007F:1F90 00000000:0000 0A\n",
		"bad inode":  "header local_address\n 0: 0100007F:1F90 00000000:0000 0A 0:0 0:0 0 0 0 x 1\n",
		"bad addr":   "header local_address\n 0: 01007F:1F90 00000000:0000 0A 0:0 0:0 0 0 0 1 1\n",
		"bad port":   "header local_address\n 0: 0100007F:XYZ 00000000:0000 0A 0:0 0:0 0 0 0 1 1\n",
	} {
		if _, err := ParseTable([]byte(text)); err == nil || !strings.Contains(err.Error(), "line 2") {
			t.Errorf("%s: err = %v, want an error naming line 2", name, err)
		}
	}
	if ls, err := ParseTable(nil); err != nil || len(ls) != 0 {
		t.Errorf("empty table: %v, %v", ls, err)
	}
}
