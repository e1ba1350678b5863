package fakekubelet

import (
	"bytes"
	"os"
	"strconv"
	"strings"
)

// groupRSS sums the resident memory of process group pgid's processes
// (the container's processes: each runs in its own group).
func groupRSS(pgid int) int64 {
	d, err := os.Open("/proc")
	if err != nil {
		return 0
	}
	names, _ := d.Readdirnames(-1)
	_ = d.Close()
	page := int64(os.Getpagesize())
	var total int64
	for _, n := range names {
		if _, err := strconv.Atoi(n); err != nil {
			continue
		}
		b, err := os.ReadFile("/proc/" + n + "/stat")
		if err != nil {
			continue
		}
		// Fields after the command's closing parenthesis: state is the
		// first, pgrp the third, rss the 22nd.
		i := bytes.LastIndexByte(b, ')')
		if i < 0 {
			continue
		}
		f := strings.Fields(string(b[i+1:]))
		if len(f) < 22 {
			continue
		}
		if g, err := strconv.Atoi(f[2]); err != nil || g != pgid || f[0] == "Z" {
			continue
		}
		if rss, err := strconv.ParseInt(f[21], 10, 64); err == nil {
			total += rss * page
		}
	}
	return total
}
