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

// AskEject asks every peer to eject instance of service, all at once. It returns nil when every peer ejected it; otherwise an error
// naming the peers that refused: wrapping ErrInUse when one uses it (423),
// ErrUnreachable when one did not answer (it may be using it).
func (n *Network) AskEject(ctx context.Context, service, instance, reason string) error {
	body := ejectRequest{Service: service, Instance: instance, Reason: reason}
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

// peer finds router id among the peers.
func (n *Network) peer(id string) (waiter.RouterInfo, error) {
	for _, p := range n.peers() {
		if p.ID == id {
			return p, nil
		}
	}
	return waiter.RouterInfo{}, fmt.Errorf("%w: %s is not a member of the cluster", ErrUnreachable, id)
}

// AskKillCandidate is the leader's delegated kill: peer router names an
// instance of service the leader may kill; ErrNothingToKill when it has
// none, ErrUnreachable when it did not answer.
func (n *Network) AskKillCandidate(ctx context.Context, router, service string) (string, error) {
	p, err := n.peer(router)
	if err != nil {
		return "", err
	}
	status, out, err := n.call(ctx, p, http.MethodPost, PathKill, nil, killRequest{Service: service})
	switch {
	case err != nil:
		return "", err
	case status == http.StatusNotFound:
		return "", fmt.Errorf("%w on router %s", ErrNothingToKill, router)
	case status != http.StatusOK:
		return "", fmt.Errorf("%w: router %s answered %d: %s", ErrUnreachable, router, status, bytes.TrimSpace(out))
	}
	var kr killResponse
	if err := json.Unmarshal(out, &kr); err != nil || kr.Instance == "" {
		return "", fmt.Errorf("%w: router %s answered no instance", ErrUnreachable, router)
	}
	return kr.Instance, nil
}

// OfferSlot lends peer router one slot of instance of service (work
// stealing); the peer gives it back with a call to this router's
// PathRelease.
func (n *Network) OfferSlot(ctx context.Context, router, service, instance string) error {
	return n.post(ctx, router, PathOffer, slotMessage{Service: service, Instance: instance}, http.StatusAccepted)
}

// ReleaseSlot gives back to peer router the slot of instance it lent,
// with how the request it served ended.
func (n *Network) ReleaseSlot(ctx context.Context, router, service, instance string, outcome engine.Outcome) error {
	return n.post(ctx, router, PathRelease, slotMessage{Service: service, Instance: instance, Outcome: outcome.String()}, http.StatusOK)
}

func (n *Network) post(ctx context.Context, router, path string, body any, want int) error {
	p, err := n.peer(router)
	if err != nil {
		return err
	}
	status, out, err := n.call(ctx, p, http.MethodPost, path, nil, body)
	if err != nil {
		return err
	}
	if status != want {
		return fmt.Errorf("%w: router %s answered %d: %s", ErrUnreachable, router, status, bytes.TrimSpace(out))
	}
	return nil
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
