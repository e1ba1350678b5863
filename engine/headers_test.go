package engine

import (
	"encoding/json"
	"errors"
	"reflect"
	"testing"
	"time"
)

func TestParseHeaders(t *testing.T) {
	h := map[string][]string{
		"X-Waiter-Cmd":               {"kitchen -p $PORT0"},
		"X-Waiter-Cpus":              {"0.1"},
		"X-Waiter-Mem":               {"256"},
		"X-Waiter-Version":           {"123"}, // string parameter: stays "123"
		"X-Waiter-Concurrency-Level": {"3"},
		"X-Waiter-Env-Foo_bar":       {"baz"},
		"X-Waiter-Metadata-Team":     {"infra"},
		"X-Waiter-Param-Greeting":    {"hi"},
		"X-Waiter-Token":             {"a, b"},
		"X-Waiter-Queue-Timeout":     {"5000"},
		"X-Waiter-Timeout":           {"99999999"},
		"X-Waiter-Debug":             {"true"},
		"X-Waiter-Frobnicate":        {"1"},
		"Content-Type":               {"text/plain"},
	}
	p, err := ParseHeaders(h)
	if err != nil {
		t.Fatal(err)
	}
	want := Params{
		"cmd": "kitchen -p $PORT0", "cpus": 0.1, "mem": 256.0, "version": "123",
		"concurrency-level": 3.0, "env": map[string]string{"FOO_BAR": "baz"},
		"metadata": map[string]string{"team": "infra"},
	}
	if !reflect.DeepEqual(p.Service, want) {
		t.Errorf("service params = %#v\nwant %#v", p.Service, want)
	}
	if !reflect.DeepEqual(p.Tokens, []string{"a", "b"}) {
		t.Errorf("tokens = %v", p.Tokens)
	}
	if p.ParamEnv["GREETING"] != "hi" {
		t.Errorf("param env = %v", p.ParamEnv)
	}
	if p.Request.QueueTimeout != 5*time.Second || p.Request.SocketTimeout != time.Hour {
		t.Errorf("timeouts = %+v (socket must cap at 1 h)", p.Request)
	}
	if !p.Debug || len(p.Ignored) != 1 || p.Ignored[0] != "x-waiter-frobnicate" {
		t.Errorf("debug=%v ignored=%v", p.Debug, p.Ignored)
	}
}

func TestParseHeadersRejectsMalformed(t *testing.T) {
	_, err := ParseHeaders(map[string][]string{
		"X-Waiter-Queue-Timeout": {"-1"},
		"X-Waiter-Timeout":       {"soon"},
		"X-Waiter-Maintenance":   {"{}"},
	})
	var ve *ValidationError
	if !errors.As(err, &ve) || len(ve.Fields) != 3 {
		t.Fatalf("want three violations, got %v", err)
	}
}

func TestComputeCoreMergesTokensAndHeaders(t *testing.T) {
	hp, _ := ParseHeaders(map[string][]string{"X-Waiter-Mem": {"512"}, "X-Waiter-Env-B": {"h"}})
	core, err := ComputeCore(Source{
		Headers: hp,
		Tokens: []Params{
			{"cmd": "one", "cpus": 1.0, "mem": 128.0, "version": "a", "env": map[string]string{"A": "t1", "B": "t1"}},
			{"cmd": "two", "env": map[string]string{"A": "t2"}},
		},
		Requester: "alice",
	})
	if err != nil {
		t.Fatal(err)
	}
	if core["cmd"] != "two" || core["mem"] != 512.0 || core["cpus"] != 1.0 {
		t.Errorf("precedence wrong: %v", core)
	}
	// compute-service-description merges headers over tokens with a plain
	// merge: the header env replaces the tokens' env.
	if env := core["env"].(map[string]string); len(env) != 1 || env["B"] != "h" {
		t.Errorf("header env must replace the token env: %v", env)
	}
	tokensOnly, _ := ComputeCore(Source{Tokens: []Params{
		{"cmd": "one", "env": map[string]string{"A": "t1", "B": "t1"}},
		{"cmd": "two", "env": map[string]string{"A": "t2"}},
	}})
	if env := tokensOnly["env"].(map[string]string); env["A"] != "t2" || env["B"] != "t1" {
		t.Errorf("tokens' env not deep-merged: %v", env)
	}
	if core["run-as-user"] != "alice" || core["permitted-user"] != "alice" {
		t.Errorf("on-the-fly headers must default run-as-user/permitted-user to the requester: %v", core)
	}
	tokenOnly, _ := ComputeCore(Source{Tokens: []Params{{"cmd": "x", "run-as-user": "*"}}, Requester: "bob"})
	if tokenOnly["run-as-user"] != "bob" {
		t.Errorf("run-as-user * must become the requester: %v", tokenOnly)
	}
	if _, ok := tokenOnly["permitted-user"]; ok {
		t.Error("token-only requests keep the token's permitted-user (default *)")
	}
}

func TestComputeCoreOnTheFlyRules(t *testing.T) {
	if _, err := ComputeCore(Source{}); err == nil || err.Error() != MsgCannotIdentify {
		t.Errorf("empty description: %v", err)
	}
	hp, _ := ParseHeaders(map[string][]string{"X-Waiter-Idle-Timeout-Mins": {"0"}, "X-Waiter-Cmd": {"x"}})
	_, err := ComputeCore(Source{Headers: hp})
	var ve *ValidationError
	if !errors.As(err, &ve) || !ve.Has("idle-timeout-mins") {
		t.Errorf("idle-timeout-mins 0 in a header must be refused: %v", err)
	}
	if core, err := ComputeCore(Source{Tokens: []Params{{"idle-timeout-mins": 0.0}}}); err != nil || core["idle-timeout-mins"] != 0.0 {
		t.Errorf("idle-timeout-mins 0 in a token is allowed: %v", err)
	}
	hp, _ = ParseHeaders(map[string][]string{"X-Waiter-Param-Foo": {"1"}, "X-Waiter-Param-Bar": {"2"}})
	_, err = ComputeCore(Source{Headers: hp, Tokens: []Params{{"cmd": "x", "allowed-params": []string{"FOO"}}}})
	if !errors.As(err, &ve) || !ve.Has("allowed-params") {
		t.Errorf("param not in allowed-params must be refused: %v", err)
	}
	hp, _ = ParseHeaders(map[string][]string{"X-Waiter-Param-Foo": {"1"}})
	core, err := ComputeCore(Source{Headers: hp, Tokens: []Params{{"cmd": "x", "allowed-params": []string{"FOO"}}}})
	if err != nil || core["env"].(map[string]string)["FOO"] != "1" {
		t.Errorf("allowed param not applied: %v %v", core, err)
	}
}

func TestResolveDescriptionFromHeaders(t *testing.T) {
	hp, _ := ParseHeaders(map[string][]string{
		"X-Waiter-Cmd": {"kitchen"}, "X-Waiter-Cpus": {"0.1"}, "X-Waiter-Mem": {"\"lots\""},
		"X-Waiter-Version": {"1"}, "X-Waiter-Max-Instances": {"abc"},
	})
	_, err := ResolveDescription(Source{Headers: hp, Requester: "me"}, DescriptionOptions{})
	var ve *ValidationError
	if !errors.As(err, &ve) || !ve.Has("mem") || !ve.Has("max-instances") {
		t.Errorf("type errors not all reported: %v", err)
	}
}

func TestSplitTokenData(t *testing.T) {
	svc, meta, unknown := SplitTokenData(map[string]any{"cmd": "x", "owner": "me", "fallback-period-secs": 10, "bogus": 1})
	if svc["cmd"] != "x" || meta["owner"] != "me" || len(unknown) != 1 || unknown[0] != "bogus" {
		t.Errorf("split wrong: %v %v %v", svc, meta, unknown)
	}
}

// TestPlainNumberAgreesWithJSON checks the fast path of header parsing
// against encoding/json on every shape it accepts or refuses.
func TestPlainNumberAgreesWithJSON(t *testing.T) {
	for _, s := range []string{"0", "1", "-1", "0.5", "10.25", "123456789", "-0.001",
		"01", "1.", ".5", "1e3", "+1", "", "-", "0x10", "1_000", "NaN", "Inf", " 1", "1 "} {
		f, ok := plainNumber(s)
		var v any
		jsonErr := json.Unmarshal([]byte(s), &v)
		if ok {
			if jsonErr != nil || v.(float64) != f {
				t.Errorf("plainNumber(%q) = %v, JSON says %v %v", s, f, v, jsonErr)
			}
		}
		if got := parseHeaderValue("cpus", s); jsonErr == nil {
			if got != v {
				t.Errorf("parseHeaderValue(%q) = %#v, JSON gives %#v", s, got, v)
			}
		}
	}
	if parseHeaderValue("cpus", "true") != true || parseHeaderValue("cpus", "false") != false {
		t.Error("booleans")
	}
}
