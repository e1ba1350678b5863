package zookeeper

import (
	"encoding/json"
	"errors"
	"fmt"

	"github.com/go-zookeeper/zk"
	"github.com/waiter-go/waiter"
	"github.com/waiter-go/waiter/internal/tokenrules"
)

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
			data, stat, err := s.c.conn.Get(path)
			found := err == nil
			var stored []tokenrules.SourceRecord
			switch {
			case errors.Is(err, zk.ErrNoNode):
			case err != nil:
				return err
			default:
				// A damaged record is replaced by what is known now, as
				// adapters/bolt does.
				if json.Unmarshal(data, &stored) != nil {
					stored = nil
				}
			}
			merged, changed := tokenrules.MergeSources(stored, tokens)
			if !changed && found {
				return nil
			}
			payload, err := json.Marshal(merged)
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
			var recs []tokenrules.SourceRecord
			err := json.Unmarshal(data, &recs)
			return recs, err
		})
	if err != nil || !exists {
		return nil, err
	}
	return tokenrules.SourceTokens(val.([]tokenrules.SourceRecord)), nil
}
