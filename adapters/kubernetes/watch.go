package kubernetes

import (
	"context"
	"sync/atomic"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/util/wait"
	"k8s.io/apimachinery/pkg/watch"
	"k8s.io/client-go/tools/cache"
	"k8s.io/utils/clock"
)

// How soon a watch tries the API server again after it failed: from
// watchRetryFirst, doubling, to watchRetryMax, each with up to half as
// much again of jitter. client-go's default, which its shared informers
// cannot change, doubles from 0.8 s to [30, 60) s and starts over only
// two minutes after it last did, so the caches Observe answers from
// stayed behind an API server that was back: by 10 and 13 s in two of
// three 10 s outages measured, by 50 to 60 s after each of two 30 s ones
// (a loaded runner restarts it slowly). The router then sees the
// replicas and pods of before the outage: TestSurvivesAPIServerOutage's
// rare failure, "requested 1" 30 s after 3 slow requests. The scheduler
// makes two watches, so trying every second is no load on an API
// server.
const (
	watchRetryFirst = 100 * time.Millisecond
	watchRetryMax   = time.Second
	watchRetryJit   = 0.5
)

// watchBackoff is the reflectors' back-off (a fresh value each: the
// reflector steps it).
func watchBackoff() *wait.Backoff {
	return &wait.Backoff{Duration: watchRetryFirst, Factor: 2, Jitter: watchRetryJit, Steps: 8, Cap: watchRetryMax}
}

// watched is one kind of object the scheduler watches (its ReplicaSets,
// or their pods): a client-go reflector with the back-off above filling
// an indexer, and calling changed after each object it adds, updates or
// deletes. It does the job of a shared informer, whose reflector's
// back-off cannot be set; changed runs on the reflector's goroutine, so
// it must not block.
type watched struct {
	cache.Indexer
	reflector *cache.Reflector
	// changed is told of every object stored (gone false) or removed
	// (gone true), after the indexer holds the change.
	changed func(obj any, gone bool)
	synced  atomic.Bool
}

// newWatched watches what lw lists, objects like expected, indexed by
// indexers; run starts it. clk is the reflector's clock (nil: the real
// one), which times its waits between watches.
func newWatched(name string, lw cache.ListerWatcher, expected runtime.Object, indexers cache.Indexers,
	changed func(obj any, gone bool), clk clock.Clock) *watched {
	w := &watched{Indexer: cache.NewIndexer(cache.DeletionHandlingMetaNamespaceKeyFunc, indexers), changed: changed}
	w.reflector = cache.NewReflectorWithOptions(lw, expected, w,
		cache.ReflectorOptions{Name: name, Backoff: watchBackoff(), Clock: clk})
	return w
}

// run lists and watches until ctx ends.
func (w *watched) run(ctx context.Context) { w.reflector.RunWithContext(ctx) }

// hasSynced reports whether the first list has been stored.
func (w *watched) hasSynced() bool { return w.synced.Load() }

// Add, Update, Delete, Replace and Resync make watched the reflector's
// store.

func (w *watched) Add(obj any) error {
	if err := w.Indexer.Add(obj); err != nil {
		return err
	}
	w.changed(obj, false)
	return nil
}

func (w *watched) Update(obj any) error {
	if err := w.Indexer.Update(obj); err != nil {
		return err
	}
	w.changed(obj, false)
	return nil
}

func (w *watched) Delete(obj any) error {
	if err := w.Indexer.Delete(obj); err != nil {
		return err
	}
	w.changed(obj, true)
	return nil
}

// Replace stores a fresh list (the first, or a re-list after the watch
// broke off): what it no longer holds is removed, and everything it
// holds is told as changed, as a shared informer does.
func (w *watched) Replace(list []any, resourceVersion string) error {
	before := w.Indexer.List()
	if err := w.Indexer.Replace(list, resourceVersion); err != nil {
		return err
	}
	w.synced.Store(true)
	kept := make(map[string]bool, len(list))
	for _, obj := range list {
		if key, err := cache.DeletionHandlingMetaNamespaceKeyFunc(obj); err == nil {
			kept[key] = true
		}
	}
	for _, obj := range before {
		if key, err := cache.DeletionHandlingMetaNamespaceKeyFunc(obj); err == nil && !kept[key] {
			w.changed(obj, true)
		}
	}
	for _, obj := range list {
		w.changed(obj, false)
	}
	return nil
}

// Resync does nothing: the reflectors run without a resync period.
func (w *watched) Resync() error { return nil }

// listWatch lists and watches through a typed client's List and Watch,
// with the scheduler's label selector.
func listWatch[L runtime.Object](client any, selector string,
	list func(context.Context, metav1.ListOptions) (L, error),
	watchFn func(context.Context, metav1.ListOptions) (watch.Interface, error)) cache.ListerWatcher {
	return cache.ToListWatcherWithWatchListSemantics(&cache.ListWatch{
		ListWithContextFunc: func(ctx context.Context, o metav1.ListOptions) (runtime.Object, error) {
			o.LabelSelector = selector
			l, err := list(ctx, o)
			if err != nil {
				return nil, err // not a typed nil in the interface
			}
			return l, nil
		},
		WatchFuncWithContext: func(ctx context.Context, o metav1.ListOptions) (watch.Interface, error) {
			o.LabelSelector = selector
			return watchFn(ctx, o)
		},
	}, client)
}
