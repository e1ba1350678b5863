package waiterhttp

import "testing"

func TestSimpleEntitlements(t *testing.T) {
	ent := NewSimple("root", "")
	cases := []struct {
		name string
		got  bool
		want bool
	}{
		{"a user runs as itself", ent.CanRunAs("alice", "alice"), true},
		{"the empty run-as-user is the requester", ent.CanRunAs("alice", ""), true},
		{"a user may not run as another", ent.CanRunAs("alice", "bob"), false},
		{"an admin runs as anyone", ent.CanRunAs("root", "bob"), true},
		{"nobody runs as anyone", ent.CanRunAs("", "bob"), false},
		{"a user manages its own", ent.CanManage("alice", "alice"), true},
		{"a user may not manage another's", ent.CanManage("alice", "bob"), false},
		{"what nobody owns is not everyone's", ent.CanManage("alice", ""), false},
		{"an admin manages another's", ent.CanManage("root", "bob"), true},
		{"an admin manages what nobody owns", ent.CanManage("root", ""), true},
		{"the blank user is never an admin", ent.IsAdmin(""), false},
		{"a configured admin", ent.IsAdmin("root"), true},
		{"an ordinary user", ent.IsAdmin("alice"), false},
	}
	for _, tc := range cases {
		if tc.got != tc.want {
			t.Errorf("%s: got %v, want %v", tc.name, tc.got, tc.want)
		}
	}
}
