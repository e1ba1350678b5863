// Package zktest runs real ZooKeeper servers (Debian's zookeeperd 3.8,
// installed by .ci/deps) for tests: a standalone server or a 3-node
// ensemble, each on free 127.0.0.1 ports with a temporary data folder,
// stopped, killed and restarted by PID, and removed when the test ends.
// It also offers a TCP proxy in front of a server that a test can cut, so
// a client's session expires while the server stays up.
//
// A server is a JVM: starting one takes seconds, so a test package shares
// one (TestMain) and gives each test its own base path.
package zktest
