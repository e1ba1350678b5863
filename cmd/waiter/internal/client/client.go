package client

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"strings"
	"sync"
	"time"
)

// Config describes one cluster to a Client.
type Config struct {
	// Name is how messages call the cluster.
	Name string
	// URL is the router's base URL (http://127.0.0.1:9091).
	URL string
	// Auth is how requests prove who sends them.
	Auth Auth
	// Timeout bounds each call that has no deadline of its own (default
	// 30 s).
	Timeout time.Duration
	// UserAgent names the client (waiter-cli/<version>).
	UserAgent string
	// Transport carries the requests (default: http.DefaultTransport's
	// settings, a fresh pool).
	Transport http.RoundTripper
}

// Client calls one Waiter cluster.
type Client struct {
	cfg  Config
	base *url.URL
	http *http.Client

	krbOnce sync.Once
	krb     *kerberos
	krbErr  error
}

// maxBody bounds how much of an answer is read.
const maxBody = 32 << 20

// New checks the configuration and makes a client.
func New(cfg Config) (*Client, error) {
	u, err := url.Parse(cfg.URL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("cluster %s: url %q must be http(s)://host[:port]", cfg.Name, cfg.URL)
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = 30 * time.Second
	}
	if cfg.Auth.Kerberos == "" {
		cfg.Auth.Kerberos = KerberosAuto
	}
	if cfg.Transport == nil {
		cfg.Transport = http.DefaultTransport.(*http.Transport).Clone()
	}
	// The jar keeps the x-waiter-auth cookie a login earns, so the rest
	// of the command's calls skip the authenticator.
	jar, _ := cookiejar.New(nil) // cookiejar.New never fails without a public suffix list
	return &Client{cfg: cfg, base: u, http: &http.Client{Transport: cfg.Transport, Jar: jar,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}, nil
}

// Name is the cluster's name.
func (c *Client) Name() string { return c.cfg.Name }

// URL is the cluster's base URL.
func (c *Client) URL() string { return c.cfg.URL }

// Response is a successful answer.
type Response struct {
	Status int
	Header http.Header
	Body   []byte
}

// JSON decodes the body into v.
func (r *Response) JSON(v any) error {
	if err := json.Unmarshal(r.Body, v); err != nil {
		return fmt.Errorf("the router's answer is not the JSON expected: %w", err)
	}
	return nil
}

// Call sends one request: path under the base URL, query and headers
// added, body (when not nil) sent as JSON. A status of 400 and above is an
// *APIError; no answer is an *UnreachableError.
func (c *Client) Call(ctx context.Context, method, path string, query url.Values, header http.Header, body any) (*Response, error) {
	var payload []byte
	if body != nil {
		var err error
		if payload, err = json.Marshal(body); err != nil {
			return nil, fmt.Errorf("encode the request body: %w", err)
		}
	}
	if _, ok := ctx.Deadline(); !ok {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, c.cfg.Timeout)
		defer cancel()
	}
	resp, err := c.send(ctx, method, path, query, header, payload, c.cfg.Auth.Kerberos == KerberosAlways)
	if err != nil {
		return nil, err
	}
	if resp.StatusCode == http.StatusUnauthorized && c.cfg.Auth.Bearer == "" &&
		c.cfg.Auth.Kerberos == KerberosAuto && offersNegotiate(resp.Header) {
		// The router asks for Kerberos: answer with a ticket once.
		first, _ := io.ReadAll(io.LimitReader(resp.Body, maxBody))
		_ = resp.Body.Close()
		if _, kerr := c.kerberos(); kerr != nil {
			e := apiError(c.cfg.Name, resp.StatusCode, resp.Header, first)
			e.Message += "; the router offers Kerberos, but " + kerr.Error()
			return nil, e
		}
		if resp, err = c.send(ctx, method, path, query, header, payload, true); err != nil {
			return nil, err
		}
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, maxBody))
	if err != nil {
		return nil, &UnreachableError{Cluster: c.cfg.Name, URL: c.cfg.URL, Err: fmt.Errorf("reading the answer: %w", err)}
	}
	if resp.StatusCode >= 400 {
		e := apiError(c.cfg.Name, resp.StatusCode, resp.Header, b)
		if resp.StatusCode == http.StatusUnauthorized {
			e.Message += hintFor401(c.cfg.Auth, resp.Header)
		}
		return nil, e
	}
	return &Response{Status: resp.StatusCode, Header: resp.Header, Body: b}, nil
}

// send makes one HTTP exchange; signed adds a Kerberos ticket.
func (c *Client) send(ctx context.Context, method, path string, query url.Values, header http.Header, payload []byte, signed bool) (*http.Response, error) {
	u := *c.base
	u.Path = strings.TrimSuffix(u.Path, "/") + path
	u.RawQuery = query.Encode()
	var body io.Reader
	if payload != nil {
		body = bytes.NewReader(payload)
	}
	req, err := http.NewRequestWithContext(ctx, method, u.String(), body)
	if err != nil {
		return nil, fmt.Errorf("cluster %s: %w", c.cfg.Name, err)
	}
	for k, vs := range header {
		for _, v := range vs {
			req.Header.Add(k, v)
		}
	}
	req.Header.Set("Accept", "application/json")
	if payload != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if req.Header.Get("x-cid") == "" {
		req.Header.Set("x-cid", newCID())
	}
	if c.cfg.UserAgent != "" {
		req.Header.Set("User-Agent", c.cfg.UserAgent)
	}
	if c.cfg.Auth.Bearer != "" {
		req.Header.Set("Authorization", "Bearer "+c.cfg.Auth.Bearer)
	} else if signed {
		k, err := c.kerberos()
		if err != nil {
			return nil, fmt.Errorf("cluster %s: %w", c.cfg.Name, err)
		}
		if err := k.sign(req); err != nil {
			return nil, fmt.Errorf("cluster %s: %w", c.cfg.Name, err)
		}
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return nil, &UnreachableError{Cluster: c.cfg.Name, URL: c.cfg.URL, Err: unwrapURLError(err)}
	}
	return resp, nil
}

// kerberos loads the credential cache once per client.
func (c *Client) kerberos() (*kerberos, error) {
	if c.cfg.Auth.Kerberos == KerberosNever {
		return nil, errNoKerberos
	}
	c.krbOnce.Do(func() { c.krb, c.krbErr = c.cfg.Auth.loadKerberos(c.base.Hostname()) })
	return c.krb, c.krbErr
}

// hintFor401 says what to do about a refused login.
func hintFor401(a Auth, h http.Header) string {
	switch {
	case a.Bearer != "":
		return "; the bearer token was refused (expired, or for another audience?)"
	case offersNegotiate(h) && a.Kerberos == KerberosNever:
		return "; the router offers Kerberos, which is off for this cluster (kerberos: never)"
	case strings.Contains(strings.ToLower(strings.Join(h.Values("WWW-Authenticate"), " ")), "bearer"):
		return "; set WAITER_BEARER_TOKEN, WAITER_BEARER_TOKEN_FILE or the cluster's bearer-token-file"
	}
	return ""
}

// unwrapURLError drops net/http's "Get \"url\": " prefix, which the
// message already names.
func unwrapURLError(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Err
	}
	return err
}

// newCID names a request for the router's logs (Waiter's CLI sends
// waiter-<version>-<uuid>).
func newCID() string {
	var b [8]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails on supported platforms
	return "waiter-cli-" + hex.EncodeToString(b[:])
}
