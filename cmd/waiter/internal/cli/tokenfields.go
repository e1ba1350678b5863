package cli

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/waiter-go/waiter/engine"
	"go.yaml.in/yaml/v3"
)

// fieldCommands take token fields as flags.
var fieldCommands = []string{"create", "update", "init"}

// fieldNames lists every token field, for the help of the commands that
// take them as flags.
func fieldNames() string {
	names := engine.ServiceParamNames()
	for _, k := range []string{"owner", "editor", "fallback-period-secs", "https-redirect", "maintenance",
		"stale-timeout-mins", "queue-timeout-ms", "socket-timeout-ms", "streaming-timeout-ms", "cors-rules", "service-mapping"} {
		if engine.IsTokenOnlyKey(k) {
			names = append(names, k)
		}
	}
	slices.Sort(names)
	return strings.Join(names, ", ") + ", env.NAME, metadata.name"
}

// paramFlag is the hidden flag every token field flag becomes.
const paramFlag = "--param"

// isTokenField reports whether --name names a token field: a Waiter
// parameter, token metadata, or an env. / metadata. entry.
func isTokenField(name string) bool {
	if k, rest, ok := strings.Cut(name, "."); ok {
		return (k == "env" || k == "metadata") && rest != ""
	}
	return engine.IsServiceParam(name) || engine.IsTokenOnlyKey(name)
}

// tokenFieldFlags lets create, update and init take any token field as a
// flag, as Waiter's CLI does (--cpus 0.1, --grace-period-secs 10,
// --env.FOO bar): after the command word, each --<field> VALUE (or
// --<field>=VALUE) becomes --param <field>=VALUE, which the command types
// and merges. Other arguments pass unchanged.
func tokenFieldFlags(args []string) ([]string, error) {
	i := slices.IndexFunc(args, func(a string) bool { return !strings.HasPrefix(a, "-") })
	if i < 0 || !slices.Contains(fieldCommands, args[i]) {
		return args, nil
	}
	out := append([]string(nil), args[:i+1]...)
	for j := i + 1; j < len(args); j++ {
		a := args[j]
		if a == "--" {
			return append(out, args[j:]...), nil
		}
		name, value, hasValue := strings.Cut(strings.TrimPrefix(a, "--"), "=")
		if !strings.HasPrefix(a, "--") || !isTokenField(name) {
			out = append(out, a)
			continue
		}
		if !hasValue {
			if j+1 >= len(args) {
				return nil, fmt.Errorf("--%s needs a value", name)
			}
			j++
			value = args[j]
		}
		out = append(out, paramFlag, name+"="+value)
	}
	return out, nil
}

// typedField types a flag's value the way Waiter types an x-waiter-<param>
// header: string parameters stay strings, other values are JSON (numbers,
// true, false, objects) when they parse as JSON, else strings.
func typedField(name, raw string) any {
	if strings.HasPrefix(name, "env.") || strings.HasPrefix(name, "metadata.") {
		return raw
	}
	if engine.IsServiceParam(name) {
		h, _ := engine.ParseHeaders(map[string][]string{engine.HeaderPrefix + name: {raw}})
		if v, ok := h.Service[name]; ok {
			return v
		}
	}
	if name == "owner" || name == "editor" {
		return raw
	}
	var v any
	if err := json.Unmarshal([]byte(raw), &v); err == nil {
		return v
	}
	return raw
}

// fieldsFromFlags turns --param k=v values into token data, with env.X
// and metadata.x nested.
func fieldsFromFlags(params []string) (map[string]any, error) {
	out := map[string]any{}
	for _, p := range params {
		k, v, ok := strings.Cut(p, "=")
		if !ok || k == "" {
			return nil, usagef("--param: want NAME=VALUE, got %q", p)
		}
		if outer, inner, nested := strings.Cut(k, "."); nested {
			m, _ := out[outer].(map[string]any)
			if m == nil {
				m = map[string]any{}
				out[outer] = m
			}
			m[inner] = v
			continue
		}
		out[k] = typedField(k, v)
	}
	return out, nil
}

// fileFlags name a token file; Waiter's CLI calls them --json, --yaml and
// --input.
type fileFlags struct {
	JSON  string `name:"json" placeholder:"FILE" predictor:"file" xor:"file" help:"Read the token's fields from a JSON file."`
	YAML  string `name:"yaml" placeholder:"FILE" predictor:"file" xor:"file" help:"Read the token's fields from a YAML file."`
	Input string `placeholder:"FILE" predictor:"file" xor:"file" help:"Read the token's fields from a JSON or YAML file (- for stdin is not supported: name a file)."`
}

// read returns the file's fields (nil when no file was named).
func (f fileFlags) read() (map[string]any, error) {
	path := f.JSON + f.YAML + f.Input // at most one is set (xor)
	if path == "" {
		return nil, nil
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, usagef("token file: %v", err)
	}
	var data map[string]any
	if f.JSON != "" {
		dec := json.NewDecoder(bytes.NewReader(b))
		dec.UseNumber()
		err = dec.Decode(&data)
	} else {
		err = yaml.Unmarshal(b, &data)
	}
	if err != nil {
		return nil, usagef("token file %s: %v", path, err)
	}
	if data == nil {
		return nil, usagef("token file %s holds no fields", path)
	}
	return jsonShaped(data).(map[string]any), nil
}

// keyOrder is the order of the env and metadata keys in a JSON token
// file (nil for none, or YAML, whose maps are read unordered): the order
// the token is posted in, which its service id depends on.
func (f fileFlags) keyOrder() engine.KeyOrder {
	path := f.JSON + f.YAML + f.Input
	if path == "" || f.YAML != "" {
		return nil
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return nil // read() already reported it
	}
	order, _ := engine.JSONKeyOrder(b)
	return order
}

// jsonShaped converts YAML's and json.Number's Go values into what JSON
// decoding gives (float64 numbers, map[string]any), so the router gets
// the same body whichever format the user wrote.
func jsonShaped(v any) any {
	switch t := v.(type) {
	case map[string]any:
		out := make(map[string]any, len(t))
		for k, e := range t {
			out[k] = jsonShaped(e)
		}
		return out
	case []any:
		out := make([]any, len(t))
		for i, e := range t {
			out[i] = jsonShaped(e)
		}
		return out
	case json.Number:
		if f, err := t.Float64(); err == nil {
			return f
		}
		return t.String()
	case int:
		return float64(t)
	case int64:
		return float64(t)
	case uint64:
		return float64(t)
	}
	return v
}

// deepMerge returns base with over's fields; maps (env, metadata) merge
// key by key.
func deepMerge(base, over map[string]any) map[string]any {
	out := maps.Clone(base)
	if out == nil {
		out = map[string]any{}
	}
	for k, v := range over {
		if om, ok := v.(map[string]any); ok {
			if bm, ok := out[k].(map[string]any); ok {
				out[k] = deepMerge(bm, om)
				continue
			}
		}
		out[k] = v
	}
	return out
}

// tokenName is the token a command writes: the argument, else the file's
// "token" field; both must agree when both are given.
func tokenName(arg string, data map[string]any) (string, error) {
	fromFile, _ := data["token"].(string)
	delete(data, "token")
	switch {
	case arg != "" && fromFile != "" && arg != fromFile:
		return "", usagef("the token is %q on the command line but %q in the file; give one", arg, fromFile)
	case arg != "":
		return arg, nil
	case fromFile != "":
		return fromFile, nil
	}
	return "", usagef("name the token: waiter create NAME, or a \"token\" field in the file")
}

// writeTokenFile writes data as JSON, or YAML when the name ends in
// .yaml or .yml (or asYAML).
func writeTokenFile(path string, data map[string]any, asYAML bool) error {
	var b []byte
	var err error
	if asYAML || isYAMLName(path) {
		b, err = yaml.Marshal(data)
	} else {
		b, err = json.MarshalIndent(data, "", "  ")
		b = append(b, '\n')
	}
	if err != nil {
		return fmt.Errorf("encode the token: %w", err)
	}
	if err := os.WriteFile(path, b, 0o644); err != nil {
		return fmt.Errorf("write the token file: %w", err)
	}
	return nil
}

func isYAMLName(path string) bool {
	ext := strings.ToLower(filepath.Ext(path))
	return ext == ".yaml" || ext == ".yml"
}

var errNoFields = errors.New("no fields to write: give flags (--cmd ..., --cpus ...) or a file (--input FILE)")
