package boundedmap

import "testing"

func TestMapStartsOverWhenFull(t *testing.T) {
	m := Map[string, int]{Max: 2}
	if _, ok := m.Get("a"); ok {
		t.Fatal("an empty map has a")
	}
	m.Put("a", 1)
	m.Put("a", 2) // replacing does not count twice
	m.Put("b", 3)
	if v, ok := m.Get("a"); !ok || v != 2 || m.Len() != 2 {
		t.Fatalf("a = %d %v, len %d; want 2, 2 entries", v, ok, m.Len())
	}
	m.Put("c", 4)
	if _, ok := m.Get("a"); ok || m.Len() != 1 {
		t.Fatalf("a full map did not start over: len %d", m.Len())
	}
	if v, _ := m.Get("c"); v != 4 {
		t.Fatalf("c = %d, want 4", v)
	}
}
