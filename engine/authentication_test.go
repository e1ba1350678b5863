package engine

import (
	"strings"
	"testing"
)

func TestDisablesAuthentication(t *testing.T) {
	full := Params{"cmd": "kitchen", "cpus": 0.1, "mem": 128.0, "version": "v1", "permitted-user": "*", "authentication": "disabled", "run-as-user": "svc"}
	without := func(keys ...string) Params {
		p := full.Clone()
		for _, k := range keys {
			delete(p, k)
		}
		return p
	}
	with := func(k string, v any) Params {
		p := full.Clone()
		p[k] = v
		return p
	}
	cases := []struct {
		name     string
		tokens   []Params
		defaults Params
		want     bool
	}{
		{"a complete token that permits anyone", []Params{full}, nil, true},
		{"authentication standard", []Params{with("authentication", "standard")}, nil, false},
		{"no authentication parameter", []Params{without("authentication")}, nil, false},
		{"permitted-user is a user", []Params{with("permitted-user", "alice")}, nil, false},
		{"no permitted-user", []Params{without("permitted-user")}, nil, false},
		{"no run-as-user", []Params{without("run-as-user")}, nil, false},
		{"run as the requester", []Params{with("run-as-user", "*")}, nil, false},
		{"a required parameter missing", []Params{without("cmd")}, nil, false},
		{"defaults supply a required parameter", []Params{without("mem")}, Params{"mem": 256.0}, true},
		{"defaults never disable it themselves", []Params{without("authentication")}, Params{"authentication": "disabled"}, false},
		{"a later token turns it back on", []Params{full, {"authentication": "standard"}}, nil, false},
		{"split across tokens", []Params{without("cmd"), {"cmd": "kitchen"}}, nil, true},
		{"no tokens", nil, nil, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := DisablesAuthentication(tc.tokens, tc.defaults); got != tc.want {
				t.Errorf("DisablesAuthentication = %v, want %v", got, tc.want)
			}
		})
	}
}

func TestDisabledAuthenticationProblems(t *testing.T) {
	if p := DisabledAuthenticationProblems(Params{"cmd": "x"}, nil); p != nil {
		t.Errorf("a token that keeps authentication has problems %v", p)
	}
	p := DisabledAuthenticationProblems(Params{"authentication": "disabled", "cmd": "x", "permitted-user": "bob",
		"run-as-user": "*"}, Params{"cpus": 1.0})
	if len(p) != 3 {
		t.Fatalf("problems %v, want permitted-user, run-as-user and missing parameters", p)
	}
	if p[0].Field != "permitted-user" || !strings.Contains(p[0].Message, `instead provided "bob"`) {
		t.Errorf("first problem %+v, want permitted-user naming bob", p[0])
	}
	if p[1].Field != "run-as-user" || !strings.Contains(p[1].Message, "must name the run-as-user") {
		t.Errorf("second problem %+v, want run-as-user", p[1])
	}
	if p[2].Field != "authentication" || !strings.HasSuffix(p[2].Message, "(missing: mem, version)") {
		t.Errorf("third problem %+v, want the missing mem and version", p[2])
	}
}
