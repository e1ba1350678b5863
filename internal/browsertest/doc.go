// Package browsertest opens pages in a real headless Chromium for tests,
// through chromedp, and records what a page did wrong: console errors,
// uncaught exceptions, errors in the browser's log (a resource that failed
// to load) and every request the page made, so a test can prove a page
// is self-contained and runs without errors.
//
// It runs Debian's chromium (or $CHROMIUM) with the flags of chromedp's
// ExecAllocator plus --no-sandbox, --disable-gpu and --disable-quic, in a
// fresh profile folder, and stops it when the test ends. A missing browser
// fails the test with what to install: the browser tests are part of
// `make test`, never skipped.
package browsertest
