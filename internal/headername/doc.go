// Package headername gives the canonical form of an HTTP header name, as
// http.CanonicalHeaderKey does, without an allocation for the names a
// router sees again and again: those of request heads (which clients may
// send in lower case) and of backends' answers. Names are interned in a
// bounded table; an interned name is a string of its own, so a name kept
// past its request (a key of a copied header map) keeps nothing else
// alive, and a client sending ever new names fills the table once and
// then pays net/http's allocation as before. An event loop, whose heads
// come in a few shapes again and again, puts a Cache of its own in front
// of the table. EqualLower and HasWaiterPrefix compare a name, in any
// case, with a lower-case one without making a new string.
package headername
