package serve

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"time"

	"github.com/waiter-go/waiter"
	"github.com/waiter-go/waiter/adapters/bolt"
	"github.com/waiter-go/waiter/adapters/zookeeper"
	"github.com/waiter-go/waiter/cmd/waiter/internal/config"
	"github.com/waiter-go/waiter/cmd/waiter/internal/tokencache"
)

// storage is where the router keeps its records and, in a cluster, its
// place in the cluster:
//
//   - one router (the default): the bbolt file in the data folder, with
//     tokens cached in front of it (tokencache);
//   - `--cluster zookeeper`: the ZooKeeper store, whose own cache follows
//     ZooKeeper's watches (a tokencache in front would keep serving a
//     token another router changed), and the router's Membership.
type storage struct {
	store   edgeStore
	records serviceRecords
	where   string // for the log: the file, or ZooKeeper's servers and base path

	// Members is this router's view of its cluster, the one place the
	// rest of serve finds it: nil for one router; for --cluster zookeeper
	// it is set by join, once the listener (and so the router's URL) is
	// known.
	Members waiter.Membership

	zk      *zookeeper.Client
	zs      *zookeeper.Store
	closers []func() // run in reverse by close
}

// edgeStore is what the HTTP edge reads and writes through: a Store that
// also reports its health (/status) and its cached tokens (/metrics).
type edgeStore interface {
	waiter.Store
	waiter.HealthReporter
	waiter.TokenCacheSizer
}

// serviceRecords is what the retention of service descriptions needs.
type serviceRecords interface {
	ListServiceDescriptions() ([]bolt.ServiceDescription, error)
	GetServiceDescription(id string) (map[string]any, error)
	PurgeService(id string) error
}

// openStorage opens the store the configuration names.
func openStorage(ctx context.Context, cfg config.Config, log *slog.Logger) (*storage, error) {
	if cfg.Cluster != config.ClusterZooKeeper {
		// The store checks its file before opening it; ctx ends that
		// check too, so SIGTERM stops a router still checking a large
		// store.
		db, err := bolt.OpenContext(ctx, filepath.Join(cfg.DataDir, StoreFile), bolt.WithLogger(log))
		if err != nil {
			return nil, err
		}
		return &storage{store: tokencache.New(db, cfg.TokenCacheSize), records: db, where: db.Path(),
			closers: []func(){func() { _ = db.Close() }}}, nil
	}
	c, err := zookeeper.Dial(ctx, zookeeper.Config{Servers: cfg.ZKServers(), BasePath: cfg.ZKBasePath,
		SessionTimeout: cfg.ZKSessionTimeout, Logger: log})
	if err != nil {
		return nil, err
	}
	zs, err := zookeeper.NewStore(c, zookeeper.StoreOptions{CacheSize: cfg.TokenCacheSize, Logger: log})
	if err != nil {
		c.Close()
		return nil, err
	}
	return &storage{store: zs, records: zkRecords{zs}, zk: c, zs: zs,
		where:   "zookeeper " + cfg.ZKConnect + cfg.ZKBasePath,
		closers: []func(){c.Close, zs.Close}}, nil
}

// join registers the router in its cluster (nothing for one router).
func (s *storage) join(cfg config.Config, addr net.Addr, log *slog.Logger) error {
	if s.zk == nil {
		return nil
	}
	m, err := zookeeper.NewMembership(s.zk, zookeeper.MembershipOptions{
		Self: waiter.RouterInfo{ID: cfg.RouterID, URL: routerURL(cfg, addr)}, MinRouters: cfg.MinRouters, Logger: log})
	if err != nil {
		return err
	}
	s.Members = m
	s.closers = append(s.closers, func() {
		// Leave at once, so the peers need not wait for the session to
		// time out; closing the session would remove the registration
		// anyway.
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if err := m.Close(ctx); err != nil {
			log.Warn("leaving the cluster failed; ZooKeeper removes the registration with the session", "error", err)
		}
	})
	return nil
}

// onServiceChange tells fn of services whose overrides or suspension
// another router changed (the HTTP edge caches them and applies them to
// the engine); one router owns its records and needs nothing. fn reads
// the store, so it runs on a goroutine of its own rather than on the
// ZooKeeper connection's, which delivers the store's answers.
func (s *storage) onServiceChange(fn func(id string)) {
	if s.zs == nil {
		return
	}
	w := &changeWorker{fn: fn, pending: map[string]struct{}{}, wake: make(chan struct{}, 1),
		quit: make(chan struct{}), done: make(chan struct{})}
	go w.run()
	s.zs.OnServiceChange(w.add)
	s.closers = append(s.closers, w.stop)
}

// changeWorker hands changed service ids to fn, each once however often
// it changed meanwhile. The ids are those the store holds records of, so
// the set is bounded by its cache.
type changeWorker struct {
	fn   func(id string)
	wake chan struct{}
	quit chan struct{}
	done chan struct{}

	mu      sync.Mutex
	pending map[string]struct{}
}

// add queues id; it never blocks.
func (w *changeWorker) add(id string) {
	w.mu.Lock()
	w.pending[id] = struct{}{}
	w.mu.Unlock()
	select {
	case w.wake <- struct{}{}:
	default:
	}
}

func (w *changeWorker) run() {
	defer close(w.done)
	for {
		select {
		case <-w.quit:
			return
		case <-w.wake:
		}
		w.mu.Lock()
		ids := w.pending
		w.pending = map[string]struct{}{}
		w.mu.Unlock()
		for id := range ids {
			w.fn(id)
		}
	}
}

func (w *changeWorker) stop() {
	close(w.quit)
	<-w.done
}

// close closes what openStorage and join opened, last first.
func (s *storage) close() {
	for i := len(s.closers) - 1; i >= 0; i-- {
		s.closers[i]()
	}
}

// routerURL is the URL peers reach this router at: router-url, else the
// listener's address (the machine's hostname when it listens on every
// interface).
func routerURL(cfg config.Config, addr net.Addr) string {
	if cfg.RouterURL != "" {
		return cfg.RouterURL
	}
	host, port := cfg.Host, strconv.Itoa(cfg.Port)
	if tcp, ok := addr.(*net.TCPAddr); ok {
		port = strconv.Itoa(tcp.Port)
		if host == "" || tcp.IP.IsUnspecified() {
			host = tcp.IP.String()
		}
	}
	if ip := net.ParseIP(host); host == "" || (ip != nil && ip.IsUnspecified()) {
		host, _ = os.Hostname()
	}
	return "http://" + net.JoinHostPort(host, port)
}

// zkRecords gives the ZooKeeper store's descriptions the shape the
// retention reads.
type zkRecords struct{ *zookeeper.Store }

func (z zkRecords) ListServiceDescriptions() ([]bolt.ServiceDescription, error) {
	list, err := z.Store.ListServiceDescriptions()
	if err != nil {
		return nil, fmt.Errorf("zookeeper: %w", err)
	}
	out := make([]bolt.ServiceDescription, len(list))
	for i, d := range list {
		out[i] = bolt.ServiceDescription{ID: d.ID, Description: d.Description}
	}
	return out, nil
}
