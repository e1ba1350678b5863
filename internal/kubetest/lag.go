package kubetest

import (
	"crypto/tls"
	"io"
	"net"
	"net/http"
	"net/http/httputil"
	"net/url"
	"strings"
	"sync"
	"time"
)

// lagProxy stands between kube-controller-manager and the API server and
// holds back each chunk of its pod watches for a while: the controller's
// pod cache then lags its ReplicaSet cache, as it can under load (the
// two are separate watch streams). Everything else passes at once.
type lagProxy struct {
	srv *http.Server
	url string
}

func startLagProxy(apiServer, token string, lag time.Duration) (*lagProxy, error) {
	target, err := url.Parse(apiServer)
	if err != nil {
		return nil, err
	}
	// The proxy authenticates the controller manager itself: client-go
	// sends no bearer token over plain http.
	rp := &httputil.ReverseProxy{Rewrite: func(r *httputil.ProxyRequest) {
		r.SetURL(target)
		r.Out.Header.Set("Authorization", "Bearer "+token)
	}}
	rp.Transport = &http.Transport{TLSClientConfig: &tls.Config{InsecureSkipVerify: true}, //nolint:gosec // the test API server's self-signed certificate
		Proxy: nil, ForceAttemptHTTP2: false}
	rp.FlushInterval = -1 // a watch streams
	rp.ModifyResponse = func(resp *http.Response) error {
		q := resp.Request.URL.Query()
		if q.Get("watch") == "true" || q.Get("watch") == "1" {
			if strings.HasSuffix(resp.Request.URL.Path, "/pods") {
				resp.Body = newLagReader(resp.Body, lag)
			}
		}
		return nil
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	p := &lagProxy{srv: &http.Server{Handler: rp, ReadHeaderTimeout: 10 * time.Second}, url: "http://" + l.Addr().String()}
	go func() { _ = p.srv.Serve(l) }()
	return p, nil
}

func (p *lagProxy) Close() error { return p.srv.Close() }

// lagReader returns each chunk read from r lag after it arrived.
type lagReader struct {
	r      io.ReadCloser
	chunks chan lagChunk
	// closed ends the reading goroutine even when chunks is full (the
	// proxy stopped reading: its client went away).
	closed    chan struct{}
	closeOnce sync.Once
	cur       []byte
	err       error
}

type lagChunk struct {
	b   []byte
	at  time.Time
	err error
}

func newLagReader(r io.ReadCloser, lag time.Duration) *lagReader {
	lr := &lagReader{r: r, chunks: make(chan lagChunk, 1024), closed: make(chan struct{})}
	go func() {
		defer close(lr.chunks)
		for {
			buf := make([]byte, 32<<10)
			n, err := r.Read(buf)
			select {
			case lr.chunks <- lagChunk{b: buf[:n], at: time.Now().Add(lag), err: err}:
			case <-lr.closed:
				return
			}
			if err != nil {
				return
			}
		}
	}()
	return lr
}

func (lr *lagReader) Read(b []byte) (int, error) {
	for len(lr.cur) == 0 {
		if lr.err != nil {
			return 0, lr.err
		}
		c, ok := <-lr.chunks
		if !ok {
			return 0, io.EOF
		}
		time.Sleep(time.Until(c.at)) // the lag itself is what this proxy is for
		lr.cur, lr.err = c.b, c.err
	}
	n := copy(b, lr.cur)
	lr.cur = lr.cur[n:]
	return n, nil
}

func (lr *lagReader) Close() error {
	lr.closeOnce.Do(func() { close(lr.closed) })
	return lr.r.Close()
}
