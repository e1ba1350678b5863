// Package childproc runs the programs an end-to-end suite tests (`waiter
// serve`, `waiter-sim marathon`) as child processes of the test: each in a
// process group of its own, its output collected for the test to wait on
// (a log line) and to print when it fails, stopped with SIGTERM as an
// operator would, and killed with its whole group if it hangs. test/marathon
// and test/kubernetes share it.
package childproc
