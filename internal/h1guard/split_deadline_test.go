package h1guard

import (
	"strings"
	"testing"
	"time"
)

// deadlineConn counts the read deadlines set on a chunkConn.
type deadlineConn struct {
	chunkConn
	set int
}

func (c *deadlineConn) SetReadDeadline(time.Time) error { c.set++; return nil }

// A head that comes whole in one read moves no deadline (the server's
// wait for it already bounds it); one that comes in parts gets
// HeadTimeout's deadline once, when the Split must read for the rest.
func TestSplitHeadTimeoutOnlyForPartialHeads(t *testing.T) {
	heads := strings.Repeat("GET /fast/a HTTP/1.1\r\nHost: h\r\n\r\n", 3)
	one := len(heads) / 3
	for _, c := range []struct {
		name  string
		sizes []int
		want  int
	}{
		{"whole heads", []int{one, one, one}, 0},
		{"second head in two parts", []int{one, 10, one - 10, one}, 1},
		{"every head in three parts", []int{5, 5, one - 10, 5, 5, one - 10, 5, 5, one - 10}, 3},
	} {
		t.Run(c.name, func(t *testing.T) {
			conn := &deadlineConn{chunkConn: chunkConn{data: []byte(heads), sizes: c.sizes}}
			s := NewSplit(conn, fastRoute, 1<<10)
			s.HeadTimeout = time.Second
			got, _ := readSplit(s, 4<<10)
			if string(got) != heads {
				t.Fatalf("read %q", got)
			}
			if conn.set != c.want {
				t.Fatalf("%d deadlines set, want %d", conn.set, c.want)
			}
		})
	}
}
