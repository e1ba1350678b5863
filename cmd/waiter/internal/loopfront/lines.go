package loopfront

import "bytes"

// cutCRLF cuts p at its first CRLF.
func cutCRLF(p []byte) (line, rest []byte, found bool) {
	i := bytes.Index(p, []byte("\r\n"))
	if i < 0 {
		return p, nil, false
	}
	return p[:i], p[i+2:], true
}

// cutColon cuts a field line at its colon.
func cutColon(line []byte) (name, value []byte, ok bool) {
	i := bytes.IndexByte(line, ':')
	if i <= 0 {
		return nil, nil, false
	}
	return line[:i], line[i+1:], true
}

// trimOWS trims a field value's optional white space.
func trimOWS(v []byte) []byte { return bytes.Trim(v, " \t") }
