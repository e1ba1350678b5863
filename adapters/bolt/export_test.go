package bolt

// SetNoSync turns fsync after each commit off or on. Benchmarks use it to
// build large fixtures quickly; no test of durability may.
func SetNoSync(s *Store, noSync bool) { s.db.NoSync = noSync }
