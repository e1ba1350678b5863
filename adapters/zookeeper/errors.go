package zookeeper

import (
	"errors"
	"fmt"

	"github.com/go-zookeeper/zk"
	"github.com/waiter-go/waiter"
)

// unavailableErrors are what the client reports when it has no session
// or loses it during a call.
var unavailableErrors = []error{
	zk.ErrConnectionClosed, zk.ErrNoServer, zk.ErrSessionExpired, zk.ErrSessionMoved, zk.ErrClosing,
}

// isUnavailable reports whether err means ZooKeeper could not be reached.
func isUnavailable(err error) bool {
	if errors.Is(err, waiter.ErrStoreUnavailable) {
		return true
	}
	for _, u := range unavailableErrors {
		if errors.Is(err, u) {
			return true
		}
	}
	return false
}

// fail names the operation in err; a lost connection or session becomes
// waiter.ErrStoreUnavailable, naming ZooKeeper and its servers, which the
// HTTP edge answers with 503.
func (c *Client) fail(op string, err error) error {
	if err == nil {
		return nil
	}
	if errors.Is(err, waiter.ErrStoreUnavailable) {
		return err
	}
	if isUnavailable(err) {
		return fmt.Errorf("%w: %s: ZooKeeper (%s) is unavailable: %w", waiter.ErrStoreUnavailable, op, c.servers(), err)
	}
	return fmt.Errorf("zookeeper: %s: %w", op, err)
}

// needSession refuses a write at once when there is no session, rather
// than queueing it until the client gives up on the servers.
func (c *Client) needSession(op string) error {
	if c.Connected() {
		return nil
	}
	return fmt.Errorf("%w: %s: ZooKeeper (%s) is unavailable: no session (%s)",
		waiter.ErrStoreUnavailable, op, c.servers(), c.conn.State())
}
