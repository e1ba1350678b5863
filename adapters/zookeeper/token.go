package zookeeper

import (
	"encoding/json"
	"fmt"
	"sort"

	"github.com/waiter-go/waiter"
	"github.com/waiter-go/waiter/internal/tokenrules"
)

// tokenRecord is one stored version of a token.
type tokenRecord struct {
	Data json.RawMessage `json:"data"`
	ETag string          `json:"etag"`
	// Order is waiter.Token.KeyOrder; the ETag does not cover it.
	Order map[string][]string `json:"order,omitempty"`
}

// tokenNode is a token's znode: the current version and the prior ones,
// newest first.
type tokenNode struct {
	tokenRecord
	History []tokenRecord `json:"history,omitempty"`
}

// tokenValue is a decoded token znode, as cached.
type tokenValue struct {
	cur     waiter.Token
	history []waiter.Token
	raw     []tokenRecord // cur's record first, then the history's
}

func recordName(name string) string { return fmt.Sprintf("token %q", name) }

// decodeToken decodes a token's znode.
func decodeToken(name string, data []byte) (*tokenValue, error) {
	var n tokenNode
	if err := json.Unmarshal(data, &n); err != nil {
		return nil, err
	}
	cur, err := toToken(name, n.tokenRecord)
	if err != nil {
		return nil, err
	}
	v := &tokenValue{cur: cur, raw: append([]tokenRecord{n.tokenRecord}, n.History...)}
	for i, h := range n.History {
		t, err := toToken(name, h)
		if err != nil {
			return nil, fmt.Errorf("history entry %d: %w", i+1, err)
		}
		v.history = append(v.history, t)
	}
	return v, nil
}

func toToken(name string, r tokenRecord) (waiter.Token, error) {
	data, err := tokenrules.DecodeObject(r.Data)
	if err != nil {
		return waiter.Token{}, err
	}
	if r.ETag == "" {
		return waiter.Token{}, fmt.Errorf("no etag")
	}
	deleted, _ := data[waiter.KeyDeleted].(bool)
	return waiter.Token{Name: name, Data: data, ETag: r.ETag, Deleted: deleted, KeyOrder: r.Order}, nil
}

// readToken returns the cached or stored token znode (nil when missing).
func (s *Store) readToken(op, name string) (*tokenValue, error) {
	val, exists, err := s.read(op, s.c.path(dirTokens, name), recordName(name), func(data []byte) (any, error) {
		return decodeToken(name, data)
	})
	if err != nil || !exists {
		return nil, err
	}
	return val.(*tokenValue), nil
}

// GetToken returns the current version of a token (waiter.TokenStore).
func (s *Store) GetToken(name string, includeDeleted bool) (waiter.Token, error) {
	if err := checkKey("token name", name); err != nil {
		return waiter.Token{}, err
	}
	v, err := s.readToken(fmt.Sprintf("get token %q", name), name)
	switch {
	case err != nil:
		return waiter.Token{}, err
	case v == nil:
		return waiter.Token{}, fmt.Errorf("%w: %q", waiter.ErrTokenNotFound, name)
	case v.cur.Deleted && !includeDeleted:
		return waiter.Token{}, fmt.Errorf("%w: %q", waiter.ErrTokenDeleted, name)
	}
	return v.cur, nil
}

// TokenHistory returns the prior versions of a token, newest first.
func (s *Store) TokenHistory(name string) ([]waiter.Token, error) {
	if err := checkKey("token name", name); err != nil {
		return nil, err
	}
	v, err := s.readToken(fmt.Sprintf("token history %q", name), name)
	switch {
	case err != nil:
		return nil, err
	case v == nil:
		return nil, fmt.Errorf("%w: %q", waiter.ErrTokenNotFound, name)
	}
	return v.history, nil
}

// ListTokens returns the tokens f selects, sorted by name. Damaged tokens
// are left out (and reported by StoreHealth).
func (s *Store) ListTokens(f waiter.TokenFilter) ([]waiter.Token, error) {
	names, err := s.readChildren("list tokens", s.c.dir(dirTokens))
	if err != nil {
		return nil, err
	}
	owners := map[string]bool{}
	for _, o := range f.Owners {
		if o != "" {
			owners[o] = true
		}
	}
	var out []waiter.Token
	for _, name := range names {
		if checkKey("token name", name) != nil {
			continue
		}
		v, err := s.readToken("list tokens", name)
		if isCorrupt(err) {
			continue
		}
		if err != nil {
			return nil, err
		}
		if v == nil || (v.cur.Deleted && !f.IncludeDeleted) {
			continue
		}
		if len(f.Owners) > 0 && !owners[v.cur.Owner()] {
			continue
		}
		out = append(out, v.cur)
	}
	return out, nil
}

// Owners returns, sorted, every user who owns at least one token (live or
// soft-deleted), as adapters/bolt's Owners does.
func (s *Store) Owners() ([]string, error) {
	list, err := s.ListTokens(waiter.TokenFilter{IncludeDeleted: true})
	if err != nil {
		return nil, err
	}
	seen := map[string]bool{}
	var out []string
	for _, t := range list {
		if o := t.Owner(); o != "" && !seen[o] {
			seen[o] = true
			out = append(out, o)
		}
	}
	sort.Strings(out)
	return out, nil
}
