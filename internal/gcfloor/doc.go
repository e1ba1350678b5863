// Package gcfloor keeps Go's garbage collector from collecting a small
// heap over and over: it holds the heap goal at least Floor above the
// live heap, where Go's default (GOGC=100) collects whenever the heap
// doubles.
//
// Both binaries run with it. waiter serve's live heap is a few MB, so
// under load the default collected about 8 times a second, 4-5 % of the
// CPU of a proxied request. waiter-sim's allocations are nearly all data
// a run keeps to the end (its timelines' histograms, its request tables
// as they grow), so the collections the default starts during a run free
// almost nothing, and while one marks, every pointer the simulator
// writes goes through the write barrier.
//
// Setting GOGC or GOMEMLIMIT in the environment turns the floor off: the
// operator's choice wins, and GOGC=100 measures the default against it.
package gcfloor
