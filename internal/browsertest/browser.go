package browsertest

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"
)

// Timeout bounds everything one test does with a browser.
const Timeout = 2 * time.Minute

// Browser is a headless Chromium started for one test.
type Browser struct {
	ctx context.Context
}

// candidates are the names Chromium is installed under.
var candidates = []string{"chromium", "chromium-browser", "google-chrome", "google-chrome-stable", "headless-shell"}

// FindChromium returns the browser's path, or an error that says how to
// install one.
func FindChromium() (string, error) {
	if p := os.Getenv("WAITER_CHROMIUM"); p != "" {
		if _, err := exec.LookPath(p); err != nil {
			return "", fmt.Errorf("WAITER_CHROMIUM=%s: %w", p, err)
		}
		return p, nil
	}
	for _, name := range candidates {
		if p, err := exec.LookPath(name); err == nil {
			return p, nil
		}
	}
	return "", fmt.Errorf("no headless Chromium found (looked for %s on PATH and WAITER_CHROMIUM): "+
		"install Debian's chromium with `apt-get install -y chromium` (.ci/run does)", strings.Join(candidates, ", "))
}

// Start launches Chromium with a fresh profile in a temporary folder,
// headless, sandbox and GPU off, no QUIC, first-run, background
// networking, component updates or sync; it is stopped when t ends.
func Start(t testing.TB) *Browser {
	t.Helper()
	path, err := FindChromium()
	if err != nil {
		t.Fatal(err)
	}
	profile := t.TempDir() // removed after the browser has exited (cleanups run last-in first-out)
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(path),
		chromedp.UserDataDir(profile),
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.WindowSize(1400, 1000),
	)
	ctx, cancel := context.WithTimeout(context.Background(), Timeout)
	allocCtx, stopAlloc := chromedp.NewExecAllocator(ctx, opts...)
	browserCtx, stopBrowser := chromedp.NewContext(allocCtx)
	t.Cleanup(func() {
		stopBrowser() // closes the browser
		stopAlloc()   // and waits for its process to exit
		cancel()
	})
	// Start the browser now, so a missing library fails here, clearly.
	if err := chromedp.Do(browserCtx); err != nil {
		t.Fatalf("starting %s: %v", path, err)
	}
	return &Browser{ctx: browserCtx}
}

// Page is one tab and what went wrong in it.
type Page struct {
	ctx    context.Context
	status int // HTTP status of the page itself

	mu       sync.Mutex
	problems []string
	requests []string
	syncs    int
	markers  map[string]chan struct{} // console.debug markers Problems waits for
}

// Open navigates a new tab to url, sending headers with every request
// the page makes (nil for none), and waits until the page has loaded.
// From then on it records every console error, uncaught exception and
// browser error entry of the page.
func (b *Browser) Open(t testing.TB, url string, headers map[string]string) *Page {
	t.Helper()
	p := &Page{markers: map[string]chan struct{}{}}
	// Requests are recorded by a listener in the tab's message loop, from
	// its first event: one that came before the reply to a later command
	// is recorded by the time that command returns.
	ctx, cancel := chromedp.NewContext(b.ctx, chromedp.WithListener(p.record))
	t.Cleanup(cancel)
	p.ctx = ctx
	// Subscribe before navigating: the subscription buffers what the
	// page says while it loads.
	messages := chromedp.Console(ctx)
	collected := make(chan struct{})
	go func() {
		defer close(collected)
		for m, err := range messages {
			if err != nil {
				return // the tab closed
			}
			p.note(m)
		}
	}()
	t.Cleanup(func() {
		cancel()
		<-collected
	})
	if _, err := chromedp.Call(ctx, network.Enable, network.EnableParams{}); err != nil {
		t.Fatalf("enabling the network events: %v", err)
	}
	if len(headers) > 0 {
		h := network.Headers{}
		for k, v := range headers {
			h[k] = v
		}
		if _, err := chromedp.Call(ctx, network.SetExtraHTTPHeaders, network.SetExtraHTTPHeadersParams{Headers: h}); err != nil {
			t.Fatalf("setting the request headers: %v", err)
		}
	}
	resp, err := chromedp.Run(ctx, chromedp.NavigateResponse(url))
	if err != nil {
		t.Fatalf("opening %s: %v", url, err)
	}
	p.status = int(resp.Status)
	return p
}

// record keeps the URL of every request the page makes. It runs in the
// tab's message loop, so it only appends.
func (p *Page) record(ev any) {
	if ev, ok := ev.(*network.EventRequestWillBeSent); ok {
		p.mu.Lock()
		p.requests = append(p.requests, ev.Request.URL)
		p.mu.Unlock()
	}
}

// Requests returns the URL of every request the page has made so far,
// the page's own first.
func (p *Page) Requests() []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]string(nil), p.requests...)
}

// note keeps a console message that reports a problem: console.error,
// an uncaught exception or an error entry of the browser's log (a
// resource that failed to load, a blocked script).
func (p *Page) note(m chromedp.ConsoleMessage) {
	if m.Type == chromedp.ConsoleDebug {
		p.mu.Lock()
		if done := p.markers[m.Text]; done != nil {
			close(done)
			delete(p.markers, m.Text)
		}
		p.mu.Unlock()
		return
	}
	if m.Type != chromedp.ConsoleError && m.Type != chromedp.ConsoleException {
		return
	}
	where := m.URL
	if where != "" {
		where = fmt.Sprintf(" (%s:%d)", m.URL, m.Line+1)
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	p.problems = append(p.problems, m.String()+where)
}

// Problems returns what went wrong on the page so far. Messages reach
// the test asynchronously, in order: it first logs a marker through the
// page's console and waits for it, so every message the page wrote
// before the call is counted.
func (p *Page) Problems(t testing.TB) []string {
	t.Helper()
	p.mu.Lock()
	p.syncs++
	marker := fmt.Sprintf("browsertest-sync-%d", p.syncs)
	seen := make(chan struct{})
	p.markers[marker] = seen
	p.mu.Unlock()
	if err := chromedp.Do(p.ctx, chromedp.Evaluate[chromedp.Void](`console.debug("`+marker+`")`)); err != nil {
		t.Fatalf("logging a marker: %v", err)
	}
	select {
	case <-seen:
	case <-p.ctx.Done():
		t.Fatalf("the page closed before its console caught up: %v", p.ctx.Err())
	case <-time.After(30 * time.Second):
		t.Fatal("the page's console did not deliver a marker within 30s")
	}
	return p.problemsSoFar()
}

func (p *Page) problemsSoFar() []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]string(nil), p.problems...)
}

// Status is the HTTP status the page itself was served with.
func (p *Page) Status() int { return p.status }

// Do runs chromedp actions on the page, failing t on error.
func (p *Page) Do(t testing.TB, actions ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	if err := chromedp.Do(p.ctx, actions...); err != nil {
		t.Fatalf("%v (page problems so far: %v)", err, p.problemsSoFar())
	}
}

// Click clicks, with the mouse, the middle of the first element the CSS
// selector finds, waiting up to within for it to exist. The element is
// located and scrolled into view by one script, and the mouse press goes
// to its coordinates: a page that re-renders the element between two
// protocol calls (the dashboard replaces its rows on every poll) gets the
// click on the element now in that place, where chromedp.Click would fail
// with a stale node id.
func (p *Page) Click(t testing.TB, css string, within time.Duration) {
	t.Helper()
	sel, _ := json.Marshal(css)
	p.WaitFor(t, css, "document.querySelector("+string(sel)+")", within)
	xy := Eval[[]float64](t, p, `(() => {
		const e = document.querySelector(`+string(sel)+`);
		e.scrollIntoView({block: "center", inline: "center"});
		const r = e.getBoundingClientRect();
		return [r.left + r.width / 2, r.top + r.height / 2];
	})()`)
	p.Do(t, chromedp.MouseClickXY(xy[0], xy[1]))
}

// Eval evaluates a JavaScript expression on the page.
func Eval[T any](t testing.TB, p *Page, expr string) T {
	t.Helper()
	v, err := chromedp.Run(p.ctx, chromedp.Evaluate[T](expr))
	if err != nil {
		t.Fatalf("evaluating %s: %v (page problems so far: %v)", expr, err, p.problemsSoFar())
	}
	return v
}

// Screenshot returns a PNG of the whole page.
func (p *Page) Screenshot(t testing.TB) []byte {
	t.Helper()
	png, err := chromedp.Run(p.ctx, chromedp.FullScreenshot(100))
	if err != nil {
		t.Fatalf("screenshot: %v", err)
	}
	return png
}

// ScreenshotElement returns a PNG of the element the CSS selector finds.
func (p *Page) ScreenshotElement(t testing.TB, css string) []byte {
	t.Helper()
	png, err := chromedp.Run(p.ctx, chromedp.Screenshot(chromedp.CSS(css)))
	if err != nil {
		t.Fatalf("screenshot of %s: %v", css, err)
	}
	return png
}

// WaitFor waits until the JavaScript expression is truthy on the page,
// checking every 50 ms for at most within; what describes it for the
// failure message.
func (p *Page) WaitFor(t testing.TB, what, expr string, within time.Duration) {
	t.Helper()
	_, err := chromedp.Run(p.ctx, chromedp.Poll[chromedp.Void](expr,
		chromedp.WithPollingInterval(50*time.Millisecond), chromedp.WithPollingTimeout(within)))
	if err != nil {
		t.Fatalf("waiting for %s (%s): %v (page problems so far: %v)", what, expr, err, p.problemsSoFar())
	}
}
