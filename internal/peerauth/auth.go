package peerauth

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"sync"
	"time"
)

// MinSecretLen is the shortest cluster secret accepted: HMAC-SHA256 is only
// as strong as its key.
const MinSecretLen = 16

// DefaultWindow is how far a signature's time may be from the callee's
// clock, either way.
const DefaultWindow = 30 * time.Second

// DefaultMaxBody bounds the body a verified request may carry.
const DefaultMaxBody = 1 << 20

// DefaultMaxNonces bounds the replay cache: past it, requests are refused
// until old nonces leave the window (fail closed, memory bounded: about
// 100 bytes an entry, so some 25 MiB at most). A nonce stays up to twice
// the window (a signature may be up to a window ahead), so this allows
// some 4,000 signed calls a second from all peers together; the metrics
// sync signs only its connections, not its messages.
const DefaultMaxNonces = 1 << 18

// ErrUnauthorized is wrapped by every error Verify returns for a request
// whose credentials do not hold (the caller answers 401).
var ErrUnauthorized = errors.New("inter-router authentication failed")

// ErrBodyTooLarge: the body is over the verifier's bound (413).
var ErrBodyTooLarge = errors.New("inter-router request body too large")

// canonical is the text both sides sign.
func canonical(method, uri string, c Credentials, bodySum []byte) []byte {
	var b bytes.Buffer
	b.WriteString(scheme)
	for _, s := range []string{method, uri, c.From, c.To, strconv.FormatInt(c.UnixMilli, 10),
		hex.EncodeToString(c.Nonce), hex.EncodeToString(bodySum)} {
		b.WriteByte('\n')
		b.WriteString(s)
	}
	return b.Bytes()
}

func mac(secret, text []byte) []byte {
	m := hmac.New(sha256.New, secret)
	m.Write(text)
	return m.Sum(nil)
}

// requestURI is the path and query the signature covers: what the callee
// sees as r.RequestURI, rebuilt the same way on both sides.
func requestURI(r *http.Request) string {
	if r.URL == nil {
		return "/"
	}
	return r.URL.RequestURI()
}

// Signer signs requests from one router.
type Signer struct {
	self   string
	secret []byte
	now    func() time.Time
}

// NewSigner returns a signer for router self; now is its clock.
func NewSigner(self string, secret []byte, now func() time.Time) (*Signer, error) {
	if err := checkSecret(secret); err != nil {
		return nil, err
	}
	if self == "" || len(self) > maxIDLen {
		return nil, fmt.Errorf("peerauth: router id must be 1 to %d bytes", maxIDLen)
	}
	return &Signer{self: self, secret: bytes.Clone(secret), now: now}, nil
}

func checkSecret(secret []byte) error {
	if len(secret) < MinSecretLen {
		return fmt.Errorf("peerauth: the cluster secret must be at least %d bytes", MinSecretLen)
	}
	return nil
}

// Sign sets r's X-Waiter-Router-Auth header for router to; body is what r
// sends (nil for none).
func (s *Signer) Sign(r *http.Request, to string, body []byte) error {
	nonce := make([]byte, nonceLen)
	if _, err := rand.Read(nonce); err != nil {
		return fmt.Errorf("peerauth: nonce: %w", err)
	}
	sum := sha256.Sum256(body)
	c := Credentials{From: s.self, To: to, UnixMilli: s.now().UnixMilli(), Nonce: nonce}
	c.Sig = mac(s.secret, canonical(r.Method, requestURI(r), c, sum[:]))
	r.Header.Set(Header, c.String())
	return nil
}

// Verifier checks requests arriving at one router.
type Verifier struct {
	self      string
	secret    []byte
	now       func() time.Time
	window    time.Duration
	maxBody   int64
	maxNonces int

	mu     sync.Mutex
	nonces map[string]time.Time // from+nonce -> when it leaves the window
	oldest time.Time            // no entry expires before this (prune hint)
}

// VerifierOptions tune a Verifier; zero fields take the defaults.
type VerifierOptions struct {
	Window    time.Duration
	MaxBody   int64
	MaxNonces int
}

// NewVerifier returns a verifier for router self; now is its clock.
func NewVerifier(self string, secret []byte, now func() time.Time, o VerifierOptions) (*Verifier, error) {
	if err := checkSecret(secret); err != nil {
		return nil, err
	}
	if o.Window <= 0 {
		o.Window = DefaultWindow
	}
	if o.MaxBody <= 0 {
		o.MaxBody = DefaultMaxBody
	}
	if o.MaxNonces <= 0 {
		o.MaxNonces = DefaultMaxNonces
	}
	return &Verifier{self: self, secret: bytes.Clone(secret), now: now, window: o.Window, maxBody: o.MaxBody,
		maxNonces: o.MaxNonces, nonces: map[string]time.Time{}}, nil
}

// Verify checks r's signature and returns the calling router's id. It
// reads the body (up to the bound) and puts it back, so the handler reads
// what was signed. Errors wrap ErrUnauthorized or ErrBodyTooLarge.
func (v *Verifier) Verify(r *http.Request) (string, error) {
	raw := r.Header.Values(Header)
	if len(raw) != 1 {
		return "", fmt.Errorf("%w: want one %s header, got %d", ErrUnauthorized, Header, len(raw))
	}
	c, err := ParseHeader(raw[0])
	if err != nil {
		return "", fmt.Errorf("%w: %w", ErrUnauthorized, err)
	}
	if c.To != v.self {
		return "", fmt.Errorf("%w: signed for router %q, this is %q", ErrUnauthorized, c.To, v.self)
	}
	now := v.now()
	at := time.UnixMilli(c.UnixMilli)
	if d := now.Sub(at); d > v.window || d < -v.window {
		return "", fmt.Errorf("%w: signed at %s, %s from this router's clock (window ±%s)",
			ErrUnauthorized, at.UTC().Format(time.RFC3339Nano), d.Round(time.Millisecond), v.window)
	}
	body, err := readBounded(r, v.maxBody)
	if err != nil {
		return "", err
	}
	sum := sha256.Sum256(body)
	want := mac(v.secret, canonical(r.Method, requestURI(r), c, sum[:]))
	if !hmac.Equal(want, c.Sig) {
		return "", fmt.Errorf("%w: bad signature", ErrUnauthorized)
	}
	// Only a valid signature may take a place in the replay cache.
	if err := v.remember(c.From+"\x00"+string(c.Nonce), at.Add(v.window), now); err != nil {
		return "", err
	}
	return c.From, nil
}

// remember records a nonce until it leaves the window; a nonce seen
// already is a replay.
func (v *Verifier) remember(key string, until, now time.Time) error {
	v.mu.Lock()
	defer v.mu.Unlock()
	if exp, ok := v.nonces[key]; ok && exp.After(now) {
		return fmt.Errorf("%w: replayed request (nonce seen within the window)", ErrUnauthorized)
	}
	if len(v.nonces) >= v.maxNonces && !now.Before(v.oldest) {
		v.prune(now)
	}
	if len(v.nonces) >= v.maxNonces {
		return fmt.Errorf("%w: replay cache full (%d requests within the window)", ErrUnauthorized, v.maxNonces)
	}
	v.nonces[key] = until
	return nil
}

// prune drops the nonces that left the window and notes when the next
// one will.
func (v *Verifier) prune(now time.Time) {
	var next time.Time
	for k, exp := range v.nonces {
		if !exp.After(now) {
			delete(v.nonces, k)
		} else if next.IsZero() || exp.Before(next) {
			next = exp
		}
	}
	v.oldest = next
}

func readBounded(r *http.Request, limit int64) ([]byte, error) {
	if r.Body == nil || r.Body == http.NoBody {
		return nil, nil
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, limit+1))
	_ = r.Body.Close()
	if err != nil {
		return nil, fmt.Errorf("%w: reading the body: %w", ErrUnauthorized, err)
	}
	if int64(len(body)) > limit {
		return nil, fmt.Errorf("%w: over %d bytes", ErrBodyTooLarge, limit)
	}
	r.Body = io.NopCloser(bytes.NewReader(body))
	return body, nil
}

type ctxKey struct{}

// Caller returns the router id Middleware verified for r ("" if none).
func Caller(ctx context.Context) string {
	s, _ := ctx.Value(ctxKey{}).(string)
	return s
}

// Middleware lets through only requests Verify accepts, with the calling
// router's id in their context (Caller); the rest get 401 (413 for a body
// over the bound) and a JSON error naming the problem.
func (v *Verifier) Middleware(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		from, err := v.Verify(r)
		if err != nil {
			status := http.StatusUnauthorized
			if errors.Is(err, ErrBodyTooLarge) {
				status = http.StatusRequestEntityTooLarge
			}
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(status)
			_ = json.NewEncoder(w).Encode(map[string]any{"waiter-error": map[string]any{"message": err.Error(), "status": status}})
			return
		}
		next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), ctxKey{}, from)))
	})
}
