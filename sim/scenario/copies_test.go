package scenario

import "testing"

func TestCopyNames(t *testing.T) {
	one := Service{Name: "api"}
	if one.Copies() != 1 || one.CopyName(0) != "api" {
		t.Errorf("no count: %d copies, first named %q; want 1 named api", one.Copies(), one.CopyName(0))
	}
	three := Service{Name: "api", Count: 3}
	if three.Copies() != 3 || three.CopyName(0) != "api-0" || three.CopyName(2) != "api-2" {
		t.Errorf("count 3: %d copies named %q .. %q; want 3, api-0 .. api-2", three.Copies(), three.CopyName(0), three.CopyName(2))
	}
}
