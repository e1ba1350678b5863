// Package storeport adapts the bbolt store (adapters/bolt) to the Store
// port of the HTTP edge (adapters/http). Adapters never import each other,
// so this small translation lives with the binary that wires them: it
// converts types and re-wraps the store's sentinel errors as the HTTP
// edge's, keeping the original error in the chain for logs.
package storeport
