package h1resp

// ScanData is Scan for a proxy that re-frames the body: it also gives
// data the chunks' data, in order and in as many pieces as it comes in,
// and trailer the bytes of the trailer section as they are scanned
// (field lines and the final empty line, already checked), so that the
// caller can pass the trailers on. The slices are p's.
func (c *Chunked) ScanData(p []byte, data, trailer func([]byte)) (n int, done bool, err error) {
	if c.err != nil {
		return 0, false, c.err
	}
	if c.st == stDone {
		return 0, true, nil
	}
	i, ts := 0, -1
	endTrailer := func() {
		if ts >= 0 && i > ts {
			trailer(p[ts:i])
		}
	}
	for i < len(p) {
		if c.st == stData {
			k := min(uint64(len(p)-i), c.left)
			data(p[i : i+int(k)])
			i += int(k)
			c.left -= k
			c.data += k
			if c.left == 0 {
				c.st = stDataCR
			}
			continue
		}
		if ts < 0 && c.st >= stTrailerStart && c.st <= stEndLF {
			ts = i
		}
		if err := c.step(p[i]); err != nil {
			c.err = err
			endTrailer()
			return i, false, err
		}
		i++
		if c.st == stDone {
			endTrailer()
			return i, true, nil
		}
	}
	endTrailer()
	return i, false, nil
}
