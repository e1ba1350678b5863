package zookeeper

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"time"

	"github.com/go-zookeeper/zk"
)

// Defaults for Config.
const (
	// DefaultBasePath is the znode every record of the cluster lives under.
	DefaultBasePath = "/waiter"
	// DefaultSessionTimeout is the ZooKeeper session timeout: how long a
	// router may lose ZooKeeper before its registration (and leadership)
	// goes. Servers clamp it to [2, 20] ticks.
	DefaultSessionTimeout = 10 * time.Second
	// DefaultConnectTimeout bounds how long Dial waits for a first session.
	DefaultConnectTimeout = 30 * time.Second
	// maxPacketBytes bounds what the client accepts from a server in one
	// packet (a children listing of many tokens is the largest); a server
	// sending more is treated as broken and the connection is dropped.
	maxPacketBytes = 16 << 20
)

// Config says how to reach ZooKeeper and where the cluster's records are.
type Config struct {
	// Servers are the ensemble's host:port addresses.
	Servers []string
	// BasePath is the absolute znode path the cluster keeps its records
	// under (default DefaultBasePath); routers that share it form one
	// cluster.
	BasePath string
	// SessionTimeout (default DefaultSessionTimeout).
	SessionTimeout time.Duration
	// ConnectTimeout bounds Dial's wait for a first session (default
	// DefaultConnectTimeout).
	ConnectTimeout time.Duration
	// Logger receives the client's connection log (default: discarded).
	Logger *slog.Logger
}

// Client is one ZooKeeper session shared by a router's Store and
// Membership. The go-zookeeper connection reconnects by itself and, when
// the ensemble expired the session, opens a new one; the Client fans its
// events out to the Store (to invalidate its cache) and the Membership
// (to re-register and re-elect).
type Client struct {
	conn *zk.Conn
	cfg  Config
	log  *slog.Logger

	mu   sync.Mutex
	subs map[int]func(zk.Event)
	next int
}

// Dial connects to ZooKeeper and waits (up to ConnectTimeout, or until
// ctx ends) for a session, then makes sure the base path exists.
func Dial(ctx context.Context, cfg Config) (*Client, error) {
	if len(cfg.Servers) == 0 {
		return nil, errors.New("zookeeper: no servers given (zk-connect host:port[,host:port...])")
	}
	if cfg.BasePath == "" {
		cfg.BasePath = DefaultBasePath
	}
	cfg.BasePath = strings.TrimSuffix(cfg.BasePath, "/")
	if !strings.HasPrefix(cfg.BasePath, "/") || cfg.BasePath == "" {
		return nil, fmt.Errorf("zookeeper: base path %q must be an absolute znode path other than /", cfg.BasePath)
	}
	if cfg.SessionTimeout <= 0 {
		cfg.SessionTimeout = DefaultSessionTimeout
	}
	if cfg.ConnectTimeout <= 0 {
		cfg.ConnectTimeout = DefaultConnectTimeout
	}
	log := cfg.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	c := &Client{cfg: cfg, log: log, subs: map[int]func(zk.Event){}}
	conn, _, err := zk.Connect(cfg.Servers, cfg.SessionTimeout,
		zk.WithLogger(zkLogger{log}), zk.WithLogInfo(false),
		zk.WithMaxBufferSize(maxPacketBytes), zk.WithEventCallback(c.dispatch))
	if err != nil {
		return nil, fmt.Errorf("zookeeper: connecting to %s: %w", strings.Join(cfg.Servers, ","), err)
	}
	c.conn = conn
	if err := c.waitSession(ctx); err != nil {
		conn.Close()
		return nil, err
	}
	if err := c.ensurePath(cfg.BasePath); err != nil {
		conn.Close()
		return nil, err
	}
	return c, nil
}

// waitSession waits until the connection has a session.
func (c *Client) waitSession(ctx context.Context) error {
	ready := make(chan struct{}, 1)
	id := c.subscribe(func(ev zk.Event) {
		if ev.Type == zk.EventSession && ev.State == zk.StateHasSession {
			select {
			case ready <- struct{}{}:
			default:
			}
		}
	})
	defer c.unsubscribe(id)
	if c.Connected() {
		return nil
	}
	timer := time.NewTimer(c.cfg.ConnectTimeout)
	defer timer.Stop()
	select {
	case <-ready:
		return nil
	case <-ctx.Done():
		return fmt.Errorf("zookeeper: connecting to %s: %w", c.servers(), ctx.Err())
	case <-timer.C:
		return fmt.Errorf("zookeeper: no session with %s within %s: is ZooKeeper running there?", c.servers(), c.cfg.ConnectTimeout)
	}
}

// Close ends the session: its ephemeral nodes (router registrations) go
// at once.
func (c *Client) Close() { c.conn.Close() }

// Connected reports whether the client holds a live session now.
func (c *Client) Connected() bool { return c.conn.State() == zk.StateHasSession }

// SessionID is the current session's id (0 before the first one): it
// changes when the ensemble expired the session and the client opened a
// new one.
func (c *Client) SessionID() int64 { return c.conn.SessionID() }

// Server is the host:port of the server the client is connected to (or
// trying to reach).
func (c *Client) Server() string { return c.conn.Server() }

// BasePath is the znode the cluster's records are under.
func (c *Client) BasePath() string { return c.cfg.BasePath }

// SessionTimeout is the session timeout asked for.
func (c *Client) SessionTimeout() time.Duration { return c.cfg.SessionTimeout }

func (c *Client) servers() string { return strings.Join(c.cfg.Servers, ",") }

// subscribe adds fn to the receivers of every event (session changes and
// watch notifications). fn runs on the connection's goroutine, sometimes
// with the connection's locks held: it must not block nor call the
// connection.
func (c *Client) subscribe(fn func(zk.Event)) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.next++
	c.subs[c.next] = fn
	return c.next
}

func (c *Client) unsubscribe(id int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	delete(c.subs, id)
}

func (c *Client) dispatch(ev zk.Event) {
	c.mu.Lock()
	fns := make([]func(zk.Event), 0, len(c.subs))
	for _, fn := range c.subs {
		fns = append(fns, fn)
	}
	c.mu.Unlock()
	if ev.Type == zk.EventSession {
		c.log.Debug("zookeeper: session state", "state", ev.State.String(), "server", ev.Server)
	}
	for _, fn := range fns {
		fn(ev)
	}
}

// ensurePath creates path and its parents as persistent znodes.
func (c *Client) ensurePath(path string) error {
	parts := strings.Split(strings.TrimPrefix(path, "/"), "/")
	cur := ""
	for _, p := range parts {
		cur += "/" + p
		_, err := c.conn.Create(cur, nil, 0, zk.WorldACL(zk.PermAll))
		if err != nil && !errors.Is(err, zk.ErrNodeExists) {
			return c.fail("create "+cur, err)
		}
	}
	return nil
}

// zkLogger sends go-zookeeper's log lines to slog at debug level: they
// are about reconnecting, which the Store and Membership report
// themselves when it matters.
type zkLogger struct{ log *slog.Logger }

func (l zkLogger) Printf(format string, args ...any) {
	l.log.Debug("zookeeper: " + fmt.Sprintf(format, args...))
}
