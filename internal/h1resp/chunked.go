package h1resp

// maxChunkLine bounds a chunk-size line, extensions and CRLF included:
// net/http's limit, so that no body it refuses for this passes here.
// Nobody sends long extensions; a longer line is garbage or an attack.
const maxChunkLine = 4096

type chunkState uint8

const (
	stSize         chunkState = iota // in the chunk size's hex digits
	stExt                            // in the chunk extensions
	stSizeLF                         // after the size line's CR
	stData                           // in chunk data (left bytes)
	stDataCR                         // after chunk data
	stDataLF                         // after chunk data's CR
	stTrailerStart                   // at the start of a trailer line
	stTrailerName                    // in a trailer field's name
	stTrailerValue                   // in a trailer field's value
	stTrailerLF                      // after a trailer field's CR
	stEndLF                          // after the CR of the blank line ending the trailer section
	stDone                           // the body ended
)

// Chunked scans a body in the chunked transfer coding (RFC 9112 7.1) to
// find where it ends: chunks with their extensions, the last chunk, and
// the trailer section. It does not decode: the proxy passes the coding
// on as it came. It keeps its state between calls, so the body may come
// in any splits, a byte at a time included.
//
// The zero value is ready for a body; set it to Chunked{} for the next.
type Chunked struct {
	st     chunkState
	digits uint8  // hex digits of the current chunk size so far
	line   int    // bytes of the current chunk-size line so far
	left   uint64 // the chunk size, then in stData the data bytes left
	data   uint64 // data bytes in all (for tests: the proxy does not decode)
	err    error  // the error that stopped the scan, returned again
}

// Scan scans p, the body bytes that follow those of the previous call,
// and returns how many of them belong to the body: all of p until the
// body ends; done is true once the last chunk and the trailer section's
// final CRLF are scanned, and n stops there (the bytes after are the
// next response's). On error n counts the bytes before the offending
// one, and every later call returns the same error; after done, every
// later call returns 0 and done.
//
// Chunk sizes are 1 to 16 hex digits, followed by CRLF or by ';' and
// extensions (no whitespace between); extensions are skipped but
// may hold no control character other than HTAB; chunk data must be
// followed by CRLF; trailer fields are checked as head fields are, and
// not bounded (they cost the scan no memory, as data does not). Every
// line ends in CRLF.
func (c *Chunked) Scan(p []byte) (n int, done bool, err error) {
	if c.err != nil {
		return 0, false, c.err
	}
	if c.st == stDone {
		return 0, true, nil
	}
	i := 0
	for i < len(p) {
		if c.st == stData {
			k := min(uint64(len(p)-i), c.left)
			i += int(k)
			c.left -= k
			c.data += k
			if c.left == 0 {
				c.st = stDataCR
			}
			continue
		}
		if err := c.step(p[i]); err != nil {
			c.err = err
			return i, false, err
		}
		i++
		if c.st == stDone {
			return i, true, nil
		}
	}
	return i, false, nil
}

// step takes one byte outside chunk data.
func (c *Chunked) step(b byte) error {
	switch c.st {
	case stSize, stExt:
		if c.line++; c.line > maxChunkLine-1 { // room left for the LF
			return ErrChunkLineTooLong
		}
		return c.sizeLine(b)
	case stSizeLF:
		if b != '\n' {
			return ErrBareCR
		}
		c.line, c.digits = 0, 0
		if c.left == 0 {
			c.st = stTrailerStart
		} else {
			c.st = stData
		}
	case stDataCR:
		if b != '\r' {
			return ErrChunkDataNotCRLF
		}
		c.st = stDataLF
	case stDataLF:
		if b != '\n' {
			return ErrChunkDataNotCRLF
		}
		c.st = stSize
	case stTrailerStart:
		switch {
		case b == '\r':
			c.st = stEndLF
		case b == '\n':
			return ErrBareLF
		case isOWS(b):
			return ErrObsFold
		case tchar[b]:
			c.st = stTrailerName
		default:
			return ErrFieldName
		}
	case stTrailerName:
		switch {
		case b == ':':
			c.st = stTrailerValue
		case !tchar[b]:
			return ErrFieldName
		}
	case stTrailerValue:
		switch {
		case b == '\r':
			c.st = stTrailerLF
		case b == '\n':
			return ErrBareLF
		case badValueByte(b):
			return ErrFieldValue
		}
	case stTrailerLF, stEndLF:
		if b != '\n' {
			return ErrBareCR
		}
		if c.st == stEndLF {
			c.st = stDone
		} else {
			c.st = stTrailerStart
		}
	}
	return nil
}

// sizeLine takes one byte of a chunk-size line before its CR:
// chunk-size [ ";" chunk-ext ]. RFC 9112 allows whitespace (BWS) before
// the ';', but net/http refuses it: a client behind the proxy might too.
// Nothing a Go client works with sends it.
func (c *Chunked) sizeLine(b byte) error {
	switch {
	case b == '\r':
		if c.digits == 0 {
			return ErrChunkSize
		}
		c.st = stSizeLF
	case b == '\n':
		return ErrBareLF
	case c.st == stExt:
		if badValueByte(b) {
			return ErrChunkExtension
		}
	case b == ';' && c.digits > 0:
		c.st = stExt
	default:
		d, ok := unhex(b)
		switch {
		case !ok:
			return ErrChunkSize
		case c.digits == 16:
			return errChunkSizeDigits
		}
		c.left = c.left<<4 | uint64(d)
		c.digits++
	}
	return nil
}

func unhex(b byte) (byte, bool) {
	switch {
	case '0' <= b && b <= '9':
		return b - '0', true
	case 'a' <= b && b <= 'f':
		return b - 'a' + 10, true
	case 'A' <= b && b <= 'F':
		return b - 'A' + 10, true
	}
	return 0, false
}
