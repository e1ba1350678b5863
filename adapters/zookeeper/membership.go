package zookeeper

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/go-zookeeper/zk"
	"github.com/waiter-go/waiter"
)

// Bounds on what a router registers and what the Membership reads.
const (
	maxRouterIDBytes  = 256
	maxRouterURLBytes = 2048
	maxRouterNodeSize = 4 << 10
	// DefaultRetryInterval spaces the Membership's attempts to register
	// and read the router list after one failed.
	DefaultRetryInterval = 250 * time.Millisecond
)

// MembershipOptions configure NewMembership.
type MembershipOptions struct {
	// Self is this router: its id and the URL its peers reach it at.
	Self waiter.RouterInfo
	// MinRouters is how many routers must be alive before the elected
	// one leads (Waiter's min-routers; default 1).
	MinRouters int
	// RetryInterval (default DefaultRetryInterval).
	RetryInterval time.Duration
	// Logger (default: discarded).
	Logger *slog.Logger
}

// Membership is waiter.Membership on ZooKeeper. Each router registers an
// ephemeral sequential znode holding its id and URL under
// <base>/routers; the znodes alive are the routers alive, and a router
// whose session ends (it stopped, crashed, or was cut off for longer
// than the session timeout) leaves the list when ZooKeeper deletes its
// znode.
//
// The leader is elected by ZooKeeper's recipe: the router whose znode
// has the lowest sequence number holds the election, and every other
// router watches the znode just before its own, so a leader's end wakes
// one router rather than all. The list itself is watched too, because
// every router needs it (slots, metrics). A router leads only while it
// holds a session: without one it cannot know whether its znode still
// exists, so it steps down at once rather than risk two leaders.
//
// When the session expires, the client opens a new one; the Membership
// then registers again (a new znode, at the back of the election).
type Membership struct {
	c     *Client
	self  waiter.RouterInfo
	min   int
	dir   string
	retry time.Duration
	log   *slog.Logger
	sub   int

	wake    chan struct{}
	changed chan struct{}
	stop    chan struct{}
	done    chan struct{}
	closed  sync.Once

	// Owned by the loop goroutine.
	node    string // this router's znode name ("" before it registers)
	session int64  // the session node belongs to
	infos   map[string]waiter.RouterInfo

	mu       sync.Mutex
	routers  []waiter.RouterInfo
	leaderID string
	leader   bool
}

var _ waiter.Membership = (*Membership)(nil)

// NewMembership registers this router and starts following the list and
// the election. On return the router is registered and Routers includes
// it.
func NewMembership(c *Client, opts MembershipOptions) (*Membership, error) {
	self := opts.Self
	switch {
	case self.ID == "" || len(self.ID) > maxRouterIDBytes:
		return nil, fmt.Errorf("zookeeper: router id must be 1 to %d bytes (got %d)", maxRouterIDBytes, len(self.ID))
	case len(self.URL) > maxRouterURLBytes:
		return nil, fmt.Errorf("zookeeper: router URL is %d bytes, more than %d", len(self.URL), maxRouterURLBytes)
	}
	if opts.MinRouters < 1 {
		opts.MinRouters = 1
	}
	if opts.RetryInterval <= 0 {
		opts.RetryInterval = DefaultRetryInterval
	}
	log := opts.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	m := &Membership{c: c, self: self, min: opts.MinRouters, dir: c.dir(dirRouters), retry: opts.RetryInterval, log: log,
		wake: make(chan struct{}, 1), changed: make(chan struct{}, 1), stop: make(chan struct{}), done: make(chan struct{}),
		infos: map[string]waiter.RouterInfo{}}
	if err := c.ensurePath(m.dir); err != nil {
		return nil, err
	}
	m.sub = c.subscribe(m.onEvent)
	if err := m.sync(); err != nil {
		c.unsubscribe(m.sub)
		m.unregister()
		return nil, fmt.Errorf("zookeeper: registering router %q: %w", self.ID, err)
	}
	go m.loop()
	return m, nil
}

// Self is this router.
func (m *Membership) Self() waiter.RouterInfo { return m.self }

// Routers lists the live routers, this one included, sorted by id.
func (m *Membership) Routers() []waiter.RouterInfo {
	m.mu.Lock()
	defer m.mu.Unlock()
	return append([]waiter.RouterInfo(nil), m.routers...)
}

// Leader reports whether this router leads: it holds the election, at
// least min-routers routers are alive, and it has a session now.
func (m *Membership) Leader() bool {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.leader && m.c.Connected()
}

// LeaderID names the router holding the election ("" when unknown).
func (m *Membership) LeaderID() string {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.leaderID
}

// Changed signals changes of Routers, Leader or LeaderID.
func (m *Membership) Changed() <-chan struct{} { return m.changed }

// Close leaves the cluster: it stops following it and deletes this
// router's znode at once (its peers see it go without waiting for the
// session to time out).
func (m *Membership) Close(ctx context.Context) error {
	var err error
	m.closed.Do(func() {
		close(m.stop)
		select {
		case <-m.done:
		case <-ctx.Done():
			err = ctx.Err()
			return
		}
		m.c.unsubscribe(m.sub)
		// ZooKeeper requests have no deadline of their own: a router
		// stopping while its connection is stuck must not wait longer than
		// ctx for its znode's deletion (the session's end removes it).
		unregistered := make(chan error, 1)
		go func() { unregistered <- m.unregister() }()
		select {
		case err = <-unregistered:
		case <-ctx.Done():
			err = fmt.Errorf("zookeeper: unregister router: %w", ctx.Err())
		}
		m.set(nil, "", false)
	})
	return err
}

// unregister deletes this router's znode, if it has one.
func (m *Membership) unregister() error {
	if m.node == "" {
		return nil
	}
	err := m.c.conn.Delete(m.dir+"/"+m.node, -1)
	m.node = ""
	if err != nil && !errors.Is(err, zk.ErrNoNode) {
		return m.c.fail("unregister router", err)
	}
	return nil
}

// onEvent wakes the loop for session changes and for events about the
// router list. It runs on the connection's goroutine: no blocking.
func (m *Membership) onEvent(ev zk.Event) {
	if ev.Type != zk.EventSession && !strings.HasPrefix(ev.Path, m.dir) {
		return
	}
	select {
	case m.wake <- struct{}{}:
	default:
	}
}

func (m *Membership) loop() {
	defer close(m.done)
	timer := time.NewTimer(time.Hour)
	timer.Stop()
	for {
		select {
		case <-m.stop:
			timer.Stop()
			return
		case <-m.wake:
		case <-timer.C:
		}
		if err := m.sync(); err != nil {
			m.log.Debug("zookeeper: router list not read; retrying", "error", err)
			timer.Reset(m.retry)
		}
	}
}

// errAgain asks the loop to read the list again soon: it changed while
// it was being read.
var errAgain = errors.New("zookeeper: the router list changed while being read")

// sync registers this router if it is not (first time, or its session
// expired), reads the list, decides the leader and sets the watches.
func (m *Membership) sync() error {
	if !m.c.Connected() {
		m.mu.Lock()
		routers, leaderID := m.routers, m.leaderID
		m.mu.Unlock()
		m.set(routers, leaderID, false)
		return m.c.needSession("read the router list")
	}
	conn := m.c.conn
	if sid := m.c.SessionID(); m.node == "" || m.session != sid {
		if err := m.register(sid); err != nil {
			return err
		}
	}
	kids, _, ch, err := conn.ChildrenW(m.dir)
	if err != nil {
		return m.c.fail("read the router list", err)
	}
	_ = ch // the event also reaches onEvent
	nodes := make([]string, 0, len(kids))
	for _, k := range kids {
		if _, ok := sequence(k); ok {
			nodes = append(nodes, k)
		}
	}
	sort.Slice(nodes, func(i, j int) bool {
		a, _ := sequence(nodes[i])
		b, _ := sequence(nodes[j])
		return a < b
	})
	mine := -1
	for i, n := range nodes {
		if n == m.node {
			mine = i
		}
	}
	if mine < 0 {
		// Our znode is gone though the session lives (deleted by hand):
		// register again.
		m.node = ""
		m.kick()
		return errAgain
	}
	// Read the routers' ids and URLs; a znode's data never changes, so
	// each is read once.
	alive := map[string]bool{}
	for _, n := range nodes {
		alive[n] = true
		if _, ok := m.infos[n]; ok {
			continue
		}
		data, _, err := conn.Get(m.dir + "/" + n)
		if errors.Is(err, zk.ErrNoNode) {
			continue
		}
		if err != nil {
			return m.c.fail("read the router list", err)
		}
		var info waiter.RouterInfo
		if len(data) > maxRouterNodeSize || json.Unmarshal(data, &info) != nil || info.ID == "" {
			m.log.Warn("zookeeper: a router registration is not one; ignored", "znode", n, "bytes", len(data))
			info = waiter.RouterInfo{}
		}
		m.infos[n] = info
	}
	for n := range m.infos {
		if !alive[n] {
			delete(m.infos, n)
		}
	}
	// The election: the lowest sequence leads; the others watch their
	// predecessor.
	if mine > 0 {
		pred := nodes[mine-1]
		found, _, _, err := conn.ExistsW(m.dir + "/" + pred)
		if err != nil {
			return m.c.fail("watch the predecessor", err)
		}
		if !found {
			return errAgain
		}
	}
	leaderID := ""
	seen := map[string]bool{}
	var routers []waiter.RouterInfo
	for _, n := range nodes {
		info := m.infos[n]
		if info.ID == "" || seen[info.ID] {
			continue
		}
		if leaderID == "" {
			leaderID = info.ID
		}
		seen[info.ID] = true
		routers = append(routers, info)
	}
	sort.Slice(routers, func(i, j int) bool { return routers[i].ID < routers[j].ID })
	m.set(routers, leaderID, mine == 0 && len(routers) >= m.min)
	return nil
}

// register creates this router's ephemeral sequential znode. The
// protected form (a GUID in the name) lets the client find its znode if
// the connection dropped before the answer came.
func (m *Membership) register(sid int64) error {
	data, err := json.Marshal(m.self)
	if err != nil {
		return err
	}
	path, err := m.c.conn.CreateProtectedEphemeralSequential(m.dir+"/r-", data, zk.WorldACL(zk.PermAll))
	if err != nil {
		return m.c.fail("register router", err)
	}
	m.node = path[strings.LastIndex(path, "/")+1:]
	m.session = sid
	m.log.Info("zookeeper: router registered", "router-id", m.self.ID, "znode", m.node)
	return nil
}

// kick wakes the loop.
func (m *Membership) kick() {
	select {
	case m.wake <- struct{}{}:
	default:
	}
}

// set publishes a view and signals Changed when it differs.
func (m *Membership) set(routers []waiter.RouterInfo, leaderID string, leader bool) {
	m.mu.Lock()
	same := leaderID == m.leaderID && leader == m.leader && equalRouters(routers, m.routers)
	m.routers, m.leaderID, m.leader = routers, leaderID, leader
	m.mu.Unlock()
	if same {
		return
	}
	m.log.Info("zookeeper: cluster changed", "routers", len(routers), "leader", leaderID, "this-router-leads", leader)
	select {
	case m.changed <- struct{}{}:
	default:
	}
}

func equalRouters(a, b []waiter.RouterInfo) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// sequence is the sequence number ZooKeeper appended to a znode name
// (its last 10 digits).
func sequence(name string) (int64, bool) {
	if len(name) < 10 {
		return 0, false
	}
	n, err := strconv.ParseInt(name[len(name)-10:], 10, 64)
	return n, err == nil
}
