package peers

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/waiter-go/waiter"
	"github.com/waiter-go/waiter/engine"
)

// call makes one signed request to peer and returns the status and the
// body (bounded); a transport failure wraps ErrUnreachable.
func (n *Network) call(ctx context.Context, peer waiter.RouterInfo, method, path string, q url.Values, body any) (int, []byte, error) {
	var data []byte
	if body != nil {
		var err error
		if data, err = json.Marshal(body); err != nil {
			return 0, nil, err
		}
	}
	u := strings.TrimSuffix(peer.URL, "/") + path
	if len(q) > 0 {
		u += "?" + q.Encode()
	}
	ctx, cancel := n.cfg.Clock.WithTimeout(ctx, n.cfg.CallTimeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, method, u, bytes.NewReader(data))
	if err != nil {
		return 0, nil, err
	}
	if data != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if err := n.signer.Sign(req, peer.ID, data); err != nil {
		return 0, nil, err
	}
	resp, err := n.client.Do(req)
	if err != nil {
		return 0, nil, fmt.Errorf("%w: %s: %w", ErrUnreachable, peer.ID, err)
	}
	defer resp.Body.Close()
	out, err := io.ReadAll(io.LimitReader(resp.Body, MaxMessage))
	if err != nil {
		return 0, nil, fmt.Errorf("%w: %s: %w", ErrUnreachable, peer.ID, err)
	}
	return resp.StatusCode, out, nil
}

// eachPeer runs f for every peer at once and returns the errors by peer id.
func (n *Network) eachPeer(f func(p waiter.RouterInfo) error) map[string]error {
	peers := n.peers()
	errs := make(map[string]error, len(peers))
	var mu sync.Mutex
	var wg sync.WaitGroup
	for _, p := range peers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			err := f(p)
			mu.Lock()
			errs[p.ID] = err
			mu.Unlock()
		}()
	}
	wg.Wait()
	return errs
}

// AskEject asks every peer to eject instance of service for period, all
// at once. It returns nil when every peer ejected it; otherwise an error
// naming the peers that refused: wrapping ErrInUse when one uses it (423),
// ErrUnreachable when one did not answer (it may be using it).
func (n *Network) AskEject(ctx context.Context, service, instance string, period time.Duration, reason string) error {
	body := ejectRequest{Service: service, Instance: instance, PeriodMS: period.Milliseconds(), Reason: reason}
	errs := n.eachPeer(func(p waiter.RouterInfo) error {
		status, out, err := n.call(ctx, p, http.MethodPost, PathEject, nil, body)
		switch {
		case err != nil:
			return err
		case status == http.StatusOK:
			return nil
		case status == http.StatusLocked:
			return fmt.Errorf("%w: router %s uses instance %s", ErrInUse, p.ID, instance)
		default:
			return fmt.Errorf("%w: router %s answered %d: %s", ErrUnreachable, p.ID, status, bytes.TrimSpace(out))
		}
	})
	return joinSorted(errs)
}

// DelegateKill asks the peers in turn, by id, to kill one instance of
// service they hold, and returns the router and instance of the first
// that did; ErrNothingToKill when none could.
func (n *Network) DelegateKill(ctx context.Context, service string) (router, instance string, err error) {
	var failures []error
	for _, p := range n.peers() {
		status, out, err := n.call(ctx, p, http.MethodPost, PathKill, nil, killRequest{Service: service})
		if err != nil {
			failures = append(failures, err)
			continue
		}
		if status == http.StatusOK {
			var kr killResponse
			if err := json.Unmarshal(out, &kr); err != nil {
				failures = append(failures, fmt.Errorf("router %s: %w", p.ID, err))
				continue
			}
			return p.ID, kr.Instance, nil
		}
		if status != http.StatusNotFound {
			failures = append(failures, fmt.Errorf("router %s answered %d: %s", p.ID, status, bytes.TrimSpace(out)))
		}
	}
	return "", "", errors.Join(append([]error{ErrNothingToKill}, failures...)...)
}

// PeerServiceCounters asks every peer for its counters of service: the
// peers that know it in the first map, those that could not answer in
// the second (a peer that does not know the service is in neither).
func (n *Network) PeerServiceCounters(ctx context.Context, service string) (map[string]engine.ServiceCounters, map[string]error) {
	var mu sync.Mutex
	out := map[string]engine.ServiceCounters{}
	errs := n.eachPeer(func(p waiter.RouterInfo) error {
		status, body, err := n.call(ctx, p, http.MethodGet, PathMetrics, url.Values{"service-id": {service}}, nil)
		switch {
		case err != nil:
			return err
		case status == http.StatusNotFound:
			return nil
		case status != http.StatusOK:
			return fmt.Errorf("router %s answered %d", p.ID, status)
		}
		var w wireCounters
		if err := json.Unmarshal(body, &w); err != nil {
			return fmt.Errorf("router %s: %w", p.ID, err)
		}
		mu.Lock()
		out[p.ID] = w.counters()
		mu.Unlock()
		return nil
	})
	for id, err := range errs {
		if err == nil {
			delete(errs, id)
		}
	}
	return out, errs
}

// PeersKnowing returns the peers that still know service, sorted; an
// error when a peer could not say.
func (n *Network) PeersKnowing(ctx context.Context, service string) ([]string, error) {
	var mu sync.Mutex
	var knowing []string
	errs := n.eachPeer(func(p waiter.RouterInfo) error {
		status, body, err := n.call(ctx, p, http.MethodGet, PathKnows, url.Values{"service-id": {service}}, nil)
		if err != nil {
			return err
		}
		var kr knowsResponse
		if status != http.StatusOK {
			return fmt.Errorf("router %s answered %d", p.ID, status)
		}
		if err := json.Unmarshal(body, &kr); err != nil {
			return err
		}
		if kr.Known {
			mu.Lock()
			knowing = append(knowing, p.ID)
			mu.Unlock()
		}
		return nil
	})
	slices.Sort(knowing)
	return knowing, joinSorted(errs)
}

// joinSorted joins the non-nil errors in peer id order (stable messages).
func joinSorted(errs map[string]error) error {
	ids := make([]string, 0, len(errs))
	for id, err := range errs {
		if err != nil {
			ids = append(ids, id)
		}
	}
	slices.Sort(ids)
	list := make([]error, len(ids))
	for i, id := range ids {
		list[i] = errs[id]
	}
	return errors.Join(list...)
}
