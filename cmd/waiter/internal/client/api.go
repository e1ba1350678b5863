package client

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/waiter-go/waiter/engine"
)

// Token is a token as GET /token shows it, with its ETag.
type Token struct {
	Name string
	Data map[string]any
	ETag string
	// KeyOrder is the order of the env and metadata keys in the router's
	// answer, the order they were posted in, which the token's service id
	// depends on: PostToken sends them back in it.
	KeyOrder engine.KeyOrder
}

// IsNotFound reports whether err is the router's 404.
func IsNotFound(err error) bool {
	var ae *APIError
	return errors.As(err, &ae) && ae.Status == http.StatusNotFound
}

// IsStale reports whether err is the router's 412: the token changed
// since its ETag was read.
func IsStale(err error) bool {
	var ae *APIError
	return errors.As(err, &ae) && ae.Status == http.StatusPreconditionFailed
}

// GetToken reads a token; metadata adds Waiter's system fields
// (last-update-time, previous, ...). A missing token is IsNotFound.
func (c *Client) GetToken(ctx context.Context, name string, metadata bool) (*Token, error) {
	q := url.Values{"token": {name}}
	if metadata {
		q.Set("include", "metadata")
	}
	r, err := c.Call(ctx, http.MethodGet, "/token", q, nil, nil)
	if err != nil {
		return nil, err
	}
	t := &Token{Name: name, ETag: r.Header.Get("Etag")}
	if err := r.JSON(&t.Data); err != nil {
		return t, err
	}
	t.KeyOrder, _ = engine.JSONKeyOrder(r.Body) // the body decoded: cannot fail
	return t, nil
}

// TokenResult is what POST /token did.
type TokenResult struct {
	// Message is Waiter's ("Successfully created web").
	Message string `json:"message"`
	// ServiceDescription is the token's service parameters.
	ServiceDescription map[string]any `json:"service-description"`
	// Operation is token-created, token-updated or token-no-op.
	Operation string `json:"-"`
	ETag      string `json:"-"`
}

// PostToken writes a token's data, its env and metadata keys in order (a
// token read with GetToken: its KeyOrder; nil: sorted), since Waiter's
// service ids depend on the posted order and a rewrite in another order
// would change the id of the service the token runs. ifMatch is the ETag
// the data was based on ("" for a new token): the router refuses a write
// over a newer version with 412 (IsStale). admin asks for
// update-mode=admin.
func (c *Client) PostToken(ctx context.Context, name string, data map[string]any, order engine.KeyOrder, ifMatch string, admin bool) (*TokenResult, error) {
	body, err := engine.MarshalInKeyOrder(data, order)
	if err != nil {
		return nil, fmt.Errorf("encode the token: %w", err)
	}
	q := url.Values{"token": {name}}
	if admin {
		q.Set("update-mode", "admin")
	}
	h := http.Header{}
	if ifMatch != "" {
		h.Set("If-Match", ifMatch)
	}
	r, err := c.Call(ctx, http.MethodPost, "/token", q, h, json.RawMessage(body))
	if err != nil {
		return nil, err
	}
	var res TokenResult
	if err := r.JSON(&res); err != nil {
		return nil, err
	}
	res.Operation, res.ETag = r.Header.Get("x-waiter-operation-result"), r.Header.Get("Etag")
	return &res, nil
}

// DeleteToken deletes a token: softly (kept with deleted: true), or hard
// (gone with its history; admins only). ifMatch guards against deleting a
// version one has not seen.
func (c *Client) DeleteToken(ctx context.Context, name, ifMatch string, hard bool) error {
	q := url.Values{}
	if hard {
		q.Set("hard-delete", "true")
	}
	h := http.Header{"X-Waiter-Token": {name}}
	if ifMatch != "" {
		h.Set("If-Match", ifMatch)
	}
	_, err := c.Call(ctx, http.MethodDelete, "/token", q, h, nil)
	return err
}

// ListTokens lists the tokens of owner (every owner when empty) with
// their last update.
func (c *Client) ListTokens(ctx context.Context, owner string) ([]map[string]any, error) {
	q := url.Values{"include": {"metadata"}}
	if owner != "" {
		q.Set("owner", owner)
	}
	r, err := c.Call(ctx, http.MethodGet, "/tokens", q, nil, nil)
	if err != nil {
		return nil, err
	}
	var out []map[string]any
	return out, r.JSON(&out)
}

// Services lists the services a token reached (every service when token
// is empty).
func (c *Client) Services(ctx context.Context, token string) ([]map[string]any, error) {
	q := url.Values{}
	if token != "" {
		q.Set("token", token)
	}
	r, err := c.Call(ctx, http.MethodGet, "/apps", q, nil, nil)
	if err != nil {
		return nil, err
	}
	var out []map[string]any
	return out, r.JSON(&out)
}

// Service reads one service with its instances. A service the router
// does not know is IsNotFound.
func (c *Client) Service(ctx context.Context, id string) (map[string]any, error) {
	r, err := c.Call(ctx, http.MethodGet, "/apps/"+url.PathEscape(id), nil, nil, nil)
	if err != nil {
		return nil, err
	}
	var out map[string]any
	return out, r.JSON(&out)
}

// DeleteService stops a service and every instance of it, waiting up to
// timeout for the routers to agree.
func (c *Client) DeleteService(ctx context.Context, id string, timeout time.Duration) (map[string]any, error) {
	q := url.Values{"timeout": {strconv.FormatInt(timeout.Milliseconds(), 10)}}
	r, err := c.Call(ctx, http.MethodDelete, "/apps/"+url.PathEscape(id), q, nil, nil)
	if err != nil {
		return nil, err
	}
	var out map[string]any
	return out, r.JSON(&out)
}

// Ping asks the router to start a token's service if needed and
// health-check one instance, waiting up to timeout (Waiter's
// /waiter-ping); ctx should allow a little more.
func (c *Client) Ping(ctx context.Context, token string, timeout time.Duration) (map[string]any, error) {
	ms := strconv.FormatInt(timeout.Milliseconds(), 10)
	h := http.Header{"X-Waiter-Token": {token}, "X-Waiter-Timeout": {ms}, "X-Waiter-Queue-Timeout": {ms}}
	r, err := c.Call(ctx, http.MethodGet, "/waiter-ping", nil, h, nil)
	if err != nil {
		return nil, err
	}
	var out map[string]any
	return out, r.JSON(&out)
}
