// Package client talks to one Waiter cluster over its REST API for the
// `waiter` command line: it names every request with an x-cid, proves
// who the caller is (a bearer token, or Kerberos SPNEGO from the user's
// credential cache, keeping the x-waiter-auth cookie the router returns
// so that one command authenticates once), and turns Waiter's error
// bodies into errors that carry the status, the message and the cid.
//
// It owns the HTTP conversation only; which cluster to talk to and how
// to show the answers belong to the command line (internal/cli).
package client
