package load

import (
	"bytes"
	"fmt"
	"math"
	"strconv"
	"time"
)

// row is one parsed trace line. key is the line's "app,func" prefix, which
// names the (app, func) pair and aliases the reader's buffer.
type row struct {
	key      []byte
	appLen   int
	end, dur time.Duration
}

// parseRow parses "app,func,end_timestamp,duration" without allocating.
func parseRow(line []byte) (row, error) {
	// bytes.IndexByte is vectorised; the hashes make up most of each line.
	var commas [3]int
	from := 0
	for n := range commas {
		i := bytes.IndexByte(line[from:], ',')
		if i < 0 {
			return row{}, fmt.Errorf("want 4 comma-separated fields (%s), got %d", TraceHeader, n+1)
		}
		commas[n] = from + i
		from += i + 1
	}
	if bytes.IndexByte(line[from:], ',') >= 0 {
		return row{}, fmt.Errorf("want 4 comma-separated fields (%s), got more", TraceHeader)
	}
	app, fn := line[:commas[0]], line[commas[0]+1:commas[1]]
	if len(app) == 0 {
		return row{}, fmt.Errorf("app is empty")
	}
	if len(fn) == 0 {
		return row{}, fmt.Errorf("func is empty")
	}
	end, err := parseSeconds("end_timestamp", line[commas[1]+1:commas[2]])
	if err != nil {
		return row{}, err
	}
	durS, err := parseSeconds("duration", line[commas[2]+1:])
	if err != nil {
		return row{}, err
	}
	if durS < 0 {
		return row{}, fmt.Errorf("duration must be ≥ 0, got %v", durS)
	}
	// Round each to the nanosecond, then subtract: arrivals are exact
	// differences of the values the reader also uses for its watermark.
	return row{
		key:    line[:commas[1]],
		appLen: len(app),
		end:    time.Duration(math.Round(end * 1e9)),
		dur:    time.Duration(math.Round(durS * 1e9)),
	}, nil
}

// maxTraceSeconds keeps trace times well inside time.Duration's range.
const maxTraceSeconds = 1e9 // about 31 years

func parseSeconds(field string, b []byte) (float64, error) {
	b = bytes.TrimSpace(b)
	// string(b) does not escape here, so it does not allocate for short fields.
	v, err := strconv.ParseFloat(string(b), 64)
	if err != nil {
		return 0, fmt.Errorf("%s %q: %w", field, b, err)
	}
	if math.IsNaN(v) || math.IsInf(v, 0) || math.Abs(v) > maxTraceSeconds {
		return 0, fmt.Errorf("%s %q: must be a finite number of seconds within ±%g", field, b, float64(maxTraceSeconds))
	}
	return v, nil
}

// interner maps app and (app, func) names to dense indexes. Lookups with a
// []byte key do not allocate (the compiler elides string(b) in map index
// expressions); only a name seen for the first time is copied.
type interner struct {
	apps      map[string]int32
	funcs     map[string]int32
	appNames  []string
	funcNames []string
	funcApp   []int32
}

func newInterner() interner {
	return interner{apps: map[string]int32{}, funcs: map[string]int32{}}
}

// intern returns the indexes of the pair key ("app,func", whose first appLen
// bytes are the app). ok is false when the app is new and maxApps (if > 0)
// apps are already known.
func (n *interner) intern(key []byte, appLen, maxApps int) (app, fn int32, ok bool) {
	if fn, ok := n.funcs[string(key)]; ok {
		return n.funcApp[fn], fn, true
	}
	app, ok = n.apps[string(key[:appLen])]
	if !ok {
		if maxApps > 0 && len(n.appNames) >= maxApps {
			return 0, 0, false
		}
		app = int32(len(n.appNames))
		n.appNames = append(n.appNames, string(key[:appLen]))
		n.apps[n.appNames[app]] = app
	}
	k := string(key)
	fn = int32(len(n.funcNames))
	n.funcs[k] = fn
	n.funcNames = append(n.funcNames, k[appLen+1:])
	n.funcApp = append(n.funcApp, app)
	return app, fn, true
}
