package zookeeper

import (
	"encoding/json"
	"errors"
	"fmt"
	"sort"

	"github.com/go-zookeeper/zk"
	"github.com/waiter-go/waiter"
)

// sourceTokenRecord is one stored entry, with Waiter's field names.
type sourceTokenRecord struct {
	Token   string `json:"token"`
	Version string `json:"version"`
}

func nameSourceTokens(id string) string { return fmt.Sprintf("source tokens of service %q", id) }

// AddSourceTokens merges token versions that reached a service into its
// record: read, merge, and write conditionally on the version read, so
// two routers adding at once both get their entries in. Adding what is
// there writes nothing.
func (s *Store) AddSourceTokens(id string, tokens []waiter.SourceToken) error {
	if err := checkKey("service id", id); err != nil {
		return err
	}
	for _, t := range tokens {
		if err := checkKey("source token name", t.Name); err != nil {
			return err
		}
	}
	op := fmt.Sprintf("add source tokens of service %q", id)
	path := s.c.path(dirSourceTokens, id)
	return s.write(op, path, func() error {
		for range maxWriteAttempts {
			byName := map[string]string{}
			data, stat, err := s.c.conn.Get(path)
			found := err == nil
			switch {
			case errors.Is(err, zk.ErrNoNode):
			case err != nil:
				return err
			default:
				var stored []sourceTokenRecord
				// A damaged record is replaced by what is known now, as
				// adapters/bolt does.
				if json.Unmarshal(data, &stored) == nil {
					for _, t := range stored {
						byName[t.Token] = t.Version
					}
				}
			}
			changed := false
			for _, t := range tokens {
				if v, ok := byName[t.Name]; !ok || v != t.ETag {
					byName[t.Name] = t.ETag
					changed = true
				}
			}
			if !changed && found {
				return nil
			}
			payload, err := json.Marshal(sortedSources(byName))
			if err != nil {
				return err
			}
			if err := checkSize(nameSourceTokens(id), payload); err != nil {
				return err
			}
			if found {
				_, err = s.c.conn.Set(path, payload, stat.Version)
			} else {
				_, err = s.c.conn.Create(path, payload, 0, zk.WorldACL(zk.PermAll))
			}
			if errors.Is(err, zk.ErrBadVersion) || errors.Is(err, zk.ErrNodeExists) || errors.Is(err, zk.ErrNoNode) {
				continue
			}
			if err == nil {
				s.rewritten(nameSourceTokens(id))
			}
			return err
		}
		return fmt.Errorf("zookeeper: %s: lost the race with other writers %d times", op, maxWriteAttempts)
	})
}

// SourceTokens returns the token versions recorded for a service, sorted
// by name; none when nothing was recorded.
func (s *Store) SourceTokens(id string) ([]waiter.SourceToken, error) {
	if err := checkKey("service id", id); err != nil {
		return nil, err
	}
	val, exists, err := s.read(fmt.Sprintf("get source tokens of service %q", id), s.c.path(dirSourceTokens, id),
		nameSourceTokens(id), func(data []byte) (any, error) {
			var recs []sourceTokenRecord
			err := json.Unmarshal(data, &recs)
			return recs, err
		})
	if err != nil || !exists {
		return nil, err
	}
	var out []waiter.SourceToken
	for _, t := range val.([]sourceTokenRecord) {
		out = append(out, waiter.SourceToken{Name: t.Token, ETag: t.Version})
	}
	return out, nil
}

func sortedSources(byName map[string]string) []sourceTokenRecord {
	out := make([]sourceTokenRecord, 0, len(byName))
	for name, version := range byName {
		out = append(out, sourceTokenRecord{Token: name, Version: version})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Token < out[j].Token })
	return out
}
