// Package leakcheck fails a package's tests when they leave goroutines
// running: its TestMain runs the tests, then looks for goroutines that
// are not the test binary's own (go.uber.org/goleak, which gives those on
// their way out a moment to finish) and prints each one's stack. A
// goroutine left behind is a resource left behind (a connection, a
// timer, a watch on ZooKeeper), and in a router that runs for months it
// adds up; the packages that start goroutines use it.
//
// A few libraries start goroutines no caller can stop; ignored holds
// them, each with why, written once for every package. go-marathon's are
// not among them, and the two packages whose tests drive it against a
// Marathon that goes down or streams events (adapters/marathon,
// internal/fakemarathon) do not use this: it checks a Marathon it marked
// down every 5 s until it answers, without closing the answers' bodies,
// and an event subscription of it never ends, each with a connection of
// net/http's that the check cannot tell from one of ours.
package leakcheck
