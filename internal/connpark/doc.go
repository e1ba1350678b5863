// Package connpark holds keep-alive connections that wait for their next
// request without a goroutine each.
//
// A Go server waits for a connection's next bytes in a goroutine blocked
// on a read, and that goroutine keeps the stack the request path grew
// (8 KB for `waiter serve`'s fast path; only a collection shrinks the
// stack of a parked goroutine, and a router collects rarely). With
// thousands of idle keep-alive connections, which clients' pools hold as
// a matter of course, those stacks were most of the router's memory per
// connection: about 8 of 12.8 KB, against nginx's 0.6 KB.
//
// A Lot watches the connections parked in it with one epoll instance of
// its own, which is itself on the runtime's poller: one goroutine, with a
// small stack, waits for all of them. When a parked connection has
// something to read (the next request, or its peer's close), the Lot
// takes it out and hands it to Wake, which serves it on a goroutine again;
// when it stays quiet until its deadline (the server's idle timeout), the
// Lot takes it out and hands it to Expire, which closes it. Close hands
// every parked connection to Expire and refuses new ones.
//
// A connection is parked between requests only: nothing of a next
// request read, every response written, so nothing but the socket itself
// can say that it has something to read. Linux only (epoll); elsewhere New
// reports ErrUnsupported and the caller keeps its goroutine per
// connection.
package connpark
