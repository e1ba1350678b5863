package zookeeper

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/waiter-go/waiter"
)

// Layout under the base path (every record one znode, JSON):
//
//	tokens/<name>         {"data": {...}, "etag": "E-...", "history": [{"data", "etag"}, ...]}
//	services/<id>         the core service description
//	overrides/<id>        {"overrides": {...}, "last-updated-by", "time"}
//	suspension/<id>       {"suspended": bool, "last-updated-by", "time"}
//	source-tokens/<id>    [{"token", "version"}, ...] sorted by token
//	routers/_c_<guid>-r-<seq>  ephemeral: {"id", "url"} of a live router
//
// A token keeps its history in its own znode, so every token write is one
// conditional setData (the znode's version is the transaction) and no
// multi-op is needed.
const (
	dirTokens       = "tokens"
	dirServices     = "services"
	dirOverrides    = "overrides"
	dirSuspension   = "suspension"
	dirSourceTokens = "source-tokens"
	dirRouters      = "routers"
)

// MaxKeyBytes bounds token names and service ids: ZooKeeper bounds a
// request, and a name this long is a mistake or an attack.
const MaxKeyBytes = 512

// checkKey rejects empty and oversized names before they reach ZooKeeper.
func checkKey(kind, key string) error {
	switch {
	case key == "":
		return fmt.Errorf("%w: empty %s", waiter.ErrInvalidTokenData, kind)
	case len(key) > MaxKeyBytes:
		return fmt.Errorf("%w: %s is %d bytes, more than %d", waiter.ErrInvalidTokenData, kind, len(key), MaxKeyBytes)
	}
	return nil
}

// escape turns a name into a znode name: bytes outside [A-Za-z0-9._-]
// become %XX (so '/' and ZooKeeper's forbidden characters never appear),
// and "." and ".." (which ZooKeeper refuses) are escaped whole.
func escape(name string) string {
	if name == "." || name == ".." {
		return strings.Repeat("%2E", len(name))
	}
	var b strings.Builder
	for i := 0; i < len(name); i++ {
		c := name[i]
		if c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '.' || c == '_' || c == '-' {
			b.WriteByte(c)
			continue
		}
		fmt.Fprintf(&b, "%%%02X", c)
	}
	return b.String()
}

// unescape reverses escape; ok is false for a znode name escape cannot
// have made (someone else's node), which listings leave out.
func unescape(s string) (string, bool) {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] != '%' {
			b.WriteByte(s[i])
			continue
		}
		if i+2 >= len(s) {
			return "", false
		}
		v, err := strconv.ParseUint(s[i+1:i+3], 16, 8)
		if err != nil {
			return "", false
		}
		b.WriteByte(byte(v))
		i += 2
	}
	return b.String(), true
}

// path is the znode of a record.
func (c *Client) path(dir, name string) string {
	return c.cfg.BasePath + "/" + dir + "/" + escape(name)
}

// dir is the znode of a record kind.
func (c *Client) dir(dir string) string { return c.cfg.BasePath + "/" + dir }
