package client

import (
	"context"
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

func newClient(t *testing.T, url string, auth Auth) *Client {
	t.Helper()
	c, err := New(Config{Name: "dev", URL: url, Auth: auth, UserAgent: "waiter-cli/test"})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestErrorsCarryWaitersMessageAndCID(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("x-cid") == "" || r.Header.Get("User-Agent") != "waiter-cli/test" || r.Header.Get("Accept") != "application/json" {
			t.Errorf("request headers %v", r.Header)
		}
		switch r.URL.Path {
		case "/token":
			w.Header().Set("x-cid", r.Header.Get("x-cid"))
			w.WriteHeader(http.StatusNotFound)
			_, _ = w.Write([]byte(`{"waiter-error": {"message": "Couldn't find token web", "status": 404, "cid": "c-1"}}`))
		default:
			w.WriteHeader(http.StatusBadGateway)
			_, _ = w.Write([]byte("<html>bad gateway</html>\nmore"))
		}
	}))
	defer srv.Close()
	c := newClient(t, srv.URL, Auth{Kerberos: KerberosNever})
	_, err := c.GetToken(context.Background(), "web", false)
	var ae *APIError
	if !errors.As(err, &ae) || ae.Status != 404 || ae.CID != "c-1" || !IsNotFound(err) ||
		err.Error() != "dev: 404 Couldn't find token web (cid c-1)" {
		t.Errorf("404: %v", err)
	}
	_, err = c.Services(context.Background(), "")
	if err == nil || err.Error() != "dev: 502 <html>bad gateway</html>" || IsNotFound(err) {
		t.Errorf("a body that is not Waiter's: %v", err)
	}
}

func TestBearerAnd401Hints(t *testing.T) {
	var got string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got = r.Header.Get("Authorization")
		w.Header().Set("WWW-Authenticate", `Bearer realm="waiter"`)
		w.WriteHeader(http.StatusUnauthorized)
	}))
	defer srv.Close()
	_, err := newClient(t, srv.URL, Auth{Bearer: "jwt-1"}).ListTokens(context.Background(), "")
	if got != "Bearer jwt-1" || err == nil || !strings.Contains(err.Error(), "the bearer token was refused") {
		t.Errorf("with a bearer token: sent %q, %v", got, err)
	}
	_, err = newClient(t, srv.URL, Auth{}).ListTokens(context.Background(), "")
	if got != "" || err == nil || !strings.Contains(err.Error(), "set WAITER_BEARER_TOKEN") {
		t.Errorf("without: sent %q, %v", got, err)
	}
}

func TestUnreachable(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	url := "http://" + ln.Addr().String()
	_ = ln.Close()
	_, err = newClient(t, url, Auth{}).ListTokens(context.Background(), "")
	var ue *UnreachableError
	if !errors.As(err, &ue) || !strings.Contains(err.Error(), "cannot reach cluster dev at "+url) ||
		!strings.Contains(err.Error(), "connection refused") || strings.Contains(err.Error(), "Get \"") {
		t.Errorf("no router: %v", err)
	}
	if _, err := New(Config{Name: "x", URL: "ftp://h"}); err == nil || !strings.Contains(err.Error(), "http(s)://host[:port]") {
		t.Errorf("a URL that is not http: %v", err)
	}
}
