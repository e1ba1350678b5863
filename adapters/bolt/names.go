package bolt

import (
	"encoding/binary"
	"fmt"
)

// recordName names a record for messages, /status and the log, from its
// bucket path and key. Reads name records the same way, so a record
// found by the scan and later read is one entry, not two.
func recordName(path [][]byte, key []byte) string {
	switch {
	case len(path) == 1 && string(path[0]) == string(bucketTokens):
		return nameToken(string(key))
	case len(path) == 2 && string(path[0]) == string(bucketTokenHistory):
		return nameHistory(string(path[1]), key)
	case len(path) == 2 && string(path[0]) == string(bucketTokenOwners):
		return nameOwnerEntry(string(path[1]), string(key))
	case len(path) == 1 && string(path[0]) == string(bucketServices):
		return nameService(string(key))
	case len(path) == 1 && string(path[0]) == string(bucketOverrides):
		return nameOverride(string(key))
	case len(path) == 1 && string(path[0]) == string(bucketSuspension):
		return nameSuspension(string(key))
	case len(path) == 1 && string(path[0]) == string(bucketSourceTokens):
		return nameSourceTokens(string(key))
	}
	name := ""
	for _, p := range path {
		name += fmt.Sprintf("%q/", p)
	}
	return fmt.Sprintf("record %s%q", name, key)
}

func nameToken(name string) string { return fmt.Sprintf("token %q", name) }

func nameHistory(token string, key []byte) string {
	if len(key) == 8 {
		return fmt.Sprintf("token %q history entry %d", token, binary.BigEndian.Uint64(key))
	}
	return fmt.Sprintf("token %q history entry %q", token, key)
}

func nameOwnerEntry(owner, token string) string {
	return fmt.Sprintf("owner index entry %q/%q", owner, token)
}

func nameService(id string) string { return fmt.Sprintf("service description %q", id) }

func nameOverride(id string) string { return fmt.Sprintf("override of service %q", id) }

func nameSuspension(id string) string { return fmt.Sprintf("suspension of service %q", id) }

func nameSourceTokens(id string) string { return fmt.Sprintf("source tokens of service %q", id) }
