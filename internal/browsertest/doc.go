// Package browsertest runs a real headless Chromium for tests, driven from
// Go by github.com/chromedp/chromedp: a test starts the browser (which is
// stopped, and its profile folder removed, when the test ends), opens
// pages with extra request headers (a bearer token), and gets back every
// problem the page showed in its console: console.error calls, uncaught
// exceptions, and the browser's own error entries (a resource that failed
// to load, a Content-Security-Policy violation), and every request the
// page made, so a test can prove a page fetches nothing but itself.
//
// It needs Debian's chromium (`apt-get install chromium`, which .ci/run
// does); a test fails, and says so, when no Chromium is installed. Set
// WAITER_CHROMIUM to use another binary.
package browsertest
