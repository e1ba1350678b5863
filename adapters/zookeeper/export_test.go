package zookeeper

// The two halves of one token write attempt, so a test can interleave
// two routers' attempts between them.

// CurrentVersion reads a token's znode version as a write would.
func (s *Store) CurrentVersion(name string) (version int32, found bool, err error) {
	_, version, found, err = s.current(name)
	return version, found, err
}

// CommitAt writes a token's znode conditionally on version.
func (s *Store) CommitAt(name string, payload []byte, found bool, version int32) error {
	return s.commit(name, payload, found, version)
}

// ErrRetry is what the losing write gets.
var ErrRetry = errRetry
