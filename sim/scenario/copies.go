package scenario

import "strconv"

// Copies is how many services s stands for: Count, or one.
func (s *Service) Copies() int { return max(s.Count, 1) }

// CopyName is the name of copy c of s: its name alone without a count,
// name-c with one. The simulator, `load` and the fidelity judging all
// name the services they play by it, so their reports match.
func (s *Service) CopyName(c int) string {
	if s.Count > 0 {
		return s.Name + "-" + strconv.Itoa(c)
	}
	return s.Name
}
