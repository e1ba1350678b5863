package bolt

import (
	"bytes"
	"strconv"

	"github.com/waiter-go/waiter"
)

// recordCheck checks every record's checksum during the page walk, so
// /status counts damaged records from the start rather than as they happen
// to be read, at the cost of a CRC per record on top of reading pages the
// walk reads anyway. Damaged records are collected, not refused: one bad
// token must not keep a router from serving the rest.
//
// Records are sealed only from schema version 2 on, so the check starts
// once it has seen meta/version = 2. The walk visits the root's buckets in
// key order (which it verifies), and "meta" sorts before every data
// bucket, so the version is known before the first record. A version 1
// file is checked by its migration instead.
type recordCheck struct {
	sealed  bool
	corrupt []*waiter.CorruptRecordError
}

var versionSealed = []byte(strconv.Itoa(schemaVersion))

// value is the page walk's onValue.
func (c *recordCheck) value(path [][]byte, key, value []byte) {
	if len(path) == 1 && bytes.Equal(path[0], bucketMeta) {
		if bytes.Equal(key, keyVersion) {
			c.sealed = bytes.Equal(value, versionSealed)
		}
		return
	}
	if !c.sealed || len(path) == 0 || !isDataBucket(path[0]) {
		return
	}
	if _, err := scopeOf(path...).open(key, value); err != nil {
		c.corrupt = append(c.corrupt, &waiter.CorruptRecordError{Record: recordName(path, key), Problem: err.Error()})
	}
}

func isDataBucket(name []byte) bool {
	for _, b := range dataBuckets {
		if bytes.Equal(b, name) {
			return true
		}
	}
	return false
}
