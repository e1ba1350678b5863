package kerberos

import (
	"context"
	"encoding/base64"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/jcmturner/gofork/encoding/asn1"
	"github.com/jcmturner/gokrb5/v8/spnego"
	"github.com/waiter-go/waiter/internal/krbtest"
)

// server answers 200 with the principal a request proves, or 401 with
// the authenticator's reason and challenge.
func server(t *testing.T, a *Authenticator) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id, err := a.Authenticate(r)
		var e *Error
		if errors.As(err, &e) {
			w.Header().Set("WWW-Authenticate", e.Challenges[0])
			http.Error(w, e.Reason, http.StatusUnauthorized)
			return
		}
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		_, _ = io.WriteString(w, id.User+"@"+id.Realm)
	}))
	t.Cleanup(srv.Close)
	return srv
}

func newAuthenticator(t *testing.T, kdc *krbtest.KDC) *Authenticator {
	t.Helper()
	a, err := New(Config{Keytab: kdc.Keytab, ServicePrincipal: krbtest.ServicePrincipal})
	if err != nil {
		t.Fatal(err)
	}
	return a
}

func read(t *testing.T, resp *http.Response) string {
	t.Helper()
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return strings.TrimSpace(string(b))
}

// One realm for every case: creating one costs a second or two.
func TestNegotiateAgainstARealKDC(t *testing.T) {
	kdc := krbtest.Start(t)
	a := newAuthenticator(t, kdc)
	srv := server(t, a)
	cl := kdc.Client(t)

	t.Run("a valid ticket names its user", func(t *testing.T) {
		resp, err := spnego.NewClient(cl, boundedClient(), krbtest.ServicePrincipal).Get(srv.URL + "/hello")
		if err != nil {
			t.Fatal(err)
		}
		if body := read(t, resp); resp.StatusCode != http.StatusOK || body != "alice@WAITER.TEST" {
			t.Fatalf("status %d body %q, want 200 alice@WAITER.TEST", resp.StatusCode, body)
		}
	})

	expect401 := func(t *testing.T, auth, reason, challenge string) {
		t.Helper()
		req, _ := http.NewRequest(http.MethodGet, srv.URL+"/hello", nil)
		if auth != "" {
			req.Header.Set("Authorization", auth)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		body := read(t, resp)
		if resp.StatusCode != http.StatusUnauthorized || resp.Header.Get("WWW-Authenticate") != challenge ||
			!strings.Contains(body, reason) {
			t.Errorf("status %d www-authenticate %q body %q; want 401, %q and %q",
				resp.StatusCode, resp.Header.Get("WWW-Authenticate"), body, challenge, reason)
		}
	}
	// Without a token the client is asked to negotiate; a refused token
	// gets SPNEGO's reject, so the client stops.
	t.Run("no header", func(t *testing.T) { expect401(t, "", "no Negotiate token", "Negotiate") })
	t.Run("another scheme", func(t *testing.T) { expect401(t, "Bearer a.b.c", "no Negotiate token", "Negotiate") })
	t.Run("not base64", func(t *testing.T) { expect401(t, "Negotiate !!!", "not base64", rejected) })
	t.Run("garbage token", func(t *testing.T) {
		expect401(t, "Negotiate "+base64.StdEncoding.EncodeToString([]byte("garbage token")),
			"neither a SPNEGO nor a Kerberos token", rejected)
	})

	t.Run("a replayed token is refused", func(t *testing.T) {
		req, _ := http.NewRequest(http.MethodGet, srv.URL+"/hello", nil)
		if err := spnego.SetSPNEGOHeader(cl, req, krbtest.ServicePrincipal); err != nil {
			t.Fatal(err)
		}
		header := req.Header.Get("Authorization")
		for i, want := range []int{http.StatusOK, http.StatusUnauthorized} {
			again, _ := http.NewRequest(http.MethodGet, srv.URL+"/hello", nil)
			again.Header.Set("Authorization", header)
			resp, err := http.DefaultClient.Do(again)
			if err != nil {
				t.Fatal(err)
			}
			if body := read(t, resp); resp.StatusCode != want {
				t.Errorf("use %d of one token: status %d (%s), want %d", i+1, resp.StatusCode, body, want)
			}
		}
	})

	t.Run("kinit and curl --negotiate", func(t *testing.T) {
		curl, err := exec.LookPath("curl")
		if err != nil {
			t.Fatalf("curl is missing: install it (apt-get install -y curl): %v", err)
		}
		kdc.Kinit(t)
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		// curl asks for HTTP@<host of the URL>: localhost, the keytab's
		// principal; the server listens on 127.0.0.1.
		url := strings.Replace(srv.URL, "127.0.0.1", "localhost", 1) + "/hello"
		cmd := exec.CommandContext(ctx, curl, "--silent", "--show-error", "--negotiate", "-u", ":", url)
		cmd.Env = kdc.Env()
		out, err := cmd.CombinedOutput()
		if err != nil || strings.TrimSpace(string(out)) != "alice@WAITER.TEST" {
			t.Fatalf("curl --negotiate: %v: %q, want alice@WAITER.TEST", err, out)
		}
	})
}

// boundedClient fails a request after a few round trips, so a client
// that keeps answering 401s with new tokens fails the test instead of
// looping.
func boundedClient() *http.Client {
	n := 0
	return &http.Client{Transport: roundTripFunc(func(r *http.Request) (*http.Response, error) {
		if n++; n > 3 {
			return nil, errors.New("more than 3 round trips for one request")
		}
		return http.DefaultTransport.RoundTrip(r)
	})}
}

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

// The reject challenge is SPNEGO's NegTokenResp with negState reject.
func TestRejectChallengeIsANegTokenRespReject(t *testing.T) {
	b, err := (&spnego.NegTokenResp{NegState: asn1.Enumerated(2)}).Marshal()
	if err != nil {
		t.Fatal(err)
	}
	if got := "Negotiate " + base64.StdEncoding.EncodeToString(b); got != rejected {
		t.Errorf("reject token %q, want %q", got, rejected)
	}
}

func TestNewRefusesUnusableKeytabs(t *testing.T) {
	kdc := krbtest.Start(t)
	for name, tc := range map[string]struct {
		cfg  Config
		want string
	}{
		"no keytab":          {Config{}, "keytab must be set"},
		"missing keytab":     {Config{Keytab: kdc.Dir + "/none.keytab"}, "none.keytab"},
		"not a keytab":       {Config{Keytab: kdc.Krb5Conf}, "krb5.conf"},
		"principal not held": {Config{Keytab: kdc.Keytab, ServicePrincipal: "HTTP/elsewhere"}, "no key for service-principal HTTP/elsewhere"},
		"principal w/ realm": {Config{Keytab: kdc.Keytab, ServicePrincipal: "HTTP/localhost@WAITER.TEST"}, "without a realm"},
	} {
		t.Run(name, func(t *testing.T) {
			a, err := New(tc.cfg)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("New(%+v) = %v, %v; want an error saying %q", tc.cfg, a, err, tc.want)
			}
		})
	}
}
