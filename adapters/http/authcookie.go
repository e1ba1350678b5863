package waiterhttp

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"net/http"
	"strconv"
	"sync/atomic"
	"time"
)

// Waiter's auth cookies (authentication.clj): x-waiter-auth carries the
// authenticated principal, x-auth-expires-at tells a page's scripts when
// it runs out.
const (
	authExpiresCookie = "x-auth-expires-at"
	// DefaultAuthCookieAge is how long x-waiter-auth is good for (Waiter's
	// add-cached-auth: one day).
	DefaultAuthCookieAge = 24 * time.Hour
	// cookieMethod is Waiter's x-waiter-auth-method for a request
	// authenticated by its cookie.
	cookieMethod = "cookie"
)

// authCookies seals a principal into the x-waiter-auth cookie and opens
// it again: AES-256-GCM under a key derived from the router's secret, so
// a client can neither read nor forge nor alter one. The scope (which
// authenticator issued it) is authenticated too, so a cookie issued under
// one authenticator is worthless after the router switches to another.
type authCookies struct {
	aead   cipher.AEAD
	scope  []byte
	maxAge time.Duration
	// last is the newest pair of Set-Cookie values: every request that
	// authenticates anew gets one, and within the same second the same
	// caller's pair is the same claims (sealing them costs an AES-GCM seal,
	// JSON and base64 per response; the profile had it at 4% of a proxied
	// request's CPU).
	last atomic.Pointer[sealedCookies]
}

// sealedCookies is one caller's cookie pair, sealed at a given second.
type sealedCookies struct {
	user, method string
	exp          int64
	age          int
	secure       bool
	session, at  string
	// pair is {session, at}, shared by the answers that carry them alone
	// (len and cap 2: an append copies), so a response costs no slice.
	pair []string
}

// cookieClaims is what a cookie holds.
type cookieClaims struct {
	User      string `json:"user"`
	Method    string `json:"method"`
	ExpiresAt int64  `json:"expires-at"` // epoch seconds
}

// minSecret is the shortest router secret a cookie key is derived from.
const minSecret = 16

func newAuthCookies(secret []byte, scope string, maxAge time.Duration) (*authCookies, error) {
	if len(secret) < minSecret {
		return nil, errors.New("waiterhttp: the auth cookie secret must be at least 16 bytes")
	}
	if maxAge <= 0 {
		maxAge = DefaultAuthCookieAge
	}
	// A key of its own, so the cookie and every other use of the router's
	// secret (backend passwords) never share one.
	mac := hmac.New(sha256.New, secret)
	mac.Write([]byte("waiter x-waiter-auth cookie key"))
	block, err := aes.NewCipher(mac.Sum(nil))
	if err != nil {
		return nil, err
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, err
	}
	return &authCookies{aead: aead, scope: []byte(authCookie + "|" + scope), maxAge: maxAge}, nil
}

// seal makes the cookie value for p, good until the returned time: the
// cookie's age, or p's own expiry when that comes first.
func (c *authCookies) seal(p Principal, now time.Time) (string, time.Time) {
	exp := c.expiry(p, now)
	payload, _ := json.Marshal(cookieClaims{User: p.User, Method: p.Method, ExpiresAt: exp.Unix()}) // cannot fail
	nonce := make([]byte, c.aead.NonceSize(), c.aead.NonceSize()+len(payload)+c.aead.Overhead())
	_, _ = rand.Read(nonce) // crypto/rand.Read never fails on supported platforms
	return base64.RawURLEncoding.EncodeToString(c.aead.Seal(nonce, nonce, payload, c.scope)), exp
}

// open returns the principal a cookie value proves, or why it proves
// nothing.
func (c *authCookies) open(value string, now time.Time) (Principal, string) {
	raw, err := base64.RawURLEncoding.DecodeString(value)
	if err != nil || len(raw) < c.aead.NonceSize()+c.aead.Overhead() {
		return Principal{}, "is malformed"
	}
	n := c.aead.NonceSize()
	payload, err := c.aead.Open(nil, raw[:n], raw[n:], c.scope)
	if err != nil {
		return Principal{}, "does not verify (altered, or issued by another router secret or authenticator)"
	}
	var cl cookieClaims
	if err := json.Unmarshal(payload, &cl); err != nil || cl.User == "" {
		return Principal{}, "is malformed"
	}
	exp := time.Unix(cl.ExpiresAt, 0)
	if !now.Before(exp) {
		return Principal{}, "has expired"
	}
	return Principal{User: cl.User, Method: cookieMethod, Expires: exp}, ""
}

// set adds the Set-Cookie headers that remember p for the client.
func (c *authCookies) set(h http.Header, r *http.Request, p Principal, now time.Time) {
	secure := r.TLS != nil
	exp := c.expiry(p, now)
	age := int(exp.Sub(now) / time.Second)
	if l := c.last.Load(); l != nil && l.user == p.User && l.method == p.Method && l.secure == secure &&
		l.exp == exp.Unix() && l.age == age {
		l.addTo(h)
		return
	}
	if age <= 0 {
		return // the credential runs out within a second: nothing to remember
	}
	value, _ := c.seal(p, now)
	sc := &sealedCookies{user: p.User, method: p.Method, exp: exp.Unix(), age: age, secure: secure,
		session: (&http.Cookie{Name: authCookie, Value: value, Path: "/", MaxAge: age,
			HttpOnly: true, Secure: secure}).String(),
		at: (&http.Cookie{Name: authExpiresCookie, Value: strconv.FormatInt(exp.Unix(), 10),
			Path: "/", MaxAge: age, Secure: secure}).String()}
	sc.pair = []string{sc.session, sc.at}
	c.last.Store(sc)
	sc.addTo(h)
}

// addTo adds the pair's Set-Cookie values to h.
func (sc *sealedCookies) addTo(h http.Header) {
	if prior, ok := h["Set-Cookie"]; ok {
		h["Set-Cookie"] = append(prior, sc.session, sc.at)
		return
	}
	h["Set-Cookie"] = sc.pair
}

// expiry is when a cookie sealed for p now expires, to the second: the
// router's cookie lifetime, or the credential's own expiry if sooner.
func (c *authCookies) expiry(p Principal, now time.Time) time.Time {
	exp := now.Add(c.maxAge)
	if !p.Expires.IsZero() && p.Expires.Before(exp) {
		exp = p.Expires
	}
	return time.Unix(exp.Unix(), 0)
}
