package engine

// codeDefaults is DefaultParams with the liveness checks defaulted to
// the health checks, as NewDescription does, made once: the base layer
// of every description's effective parameters. Nothing may change it.
var codeDefaults = func() Params {
	p := DefaultParams()
	for live, health := range livenessDefaults {
		if _, ok := p[live]; !ok {
			if v, ok := p[health]; ok {
				p[live] = cloneValue(v)
			}
		}
	}
	return p
}()

// Effective returns the effective parameters: Core over the defaults
// (the router's, a profile's, Waiter's own), with overrides applied
// last. The map is the caller's; values it holds may be shared with d
// and must not be changed.
func (d *Description) Effective() Params {
	out := make(Params, len(d.effBase)+len(d.effOwn))
	for k, v := range d.effBase {
		out[k] = cloneValue(v) // shared by every description
	}
	for k, v := range d.effOwn {
		out[k] = v
	}
	return out
}

// Param returns the effective value of one parameter (nil when it has
// none), as Effective()[name] without building the map.
func (d *Description) Param(name string) any {
	if v, ok := d.effOwn[name]; ok {
		return v
	}
	return d.effBase[name]
}

// SetEffective makes p, whole, d's effective parameters: a copy of a
// description shown with some values hidden, or a stored description
// that no longer validates, shown as stored. d's typed fields are left
// as they are.
func (d *Description) SetEffective(p Params) { d.effBase, d.effOwn = nil, p }

// beyond returns the entries of e that base does not hold with the same
// value. base's keys must all be in e (NewDescription's effective
// parameters hold every code default). Only scalars and empty maps and
// lists are compared; any other map or list is kept, which is never
// wrong, only larger.
func beyond(e, base Params) Params {
	out := Params{}
	for k, v := range e {
		if bv, ok := base[k]; ok && sameSimple(v, bv) {
			continue
		}
		out[k] = v
	}
	return out
}

// sameSimple reports whether a and b are equal numbers, strings or
// booleans, or both empty (not nil) string maps or lists.
func sameSimple(a, b any) bool {
	switch a := a.(type) {
	case map[string]string:
		b, ok := b.(map[string]string)
		return ok && a != nil && b != nil && len(a) == 0 && len(b) == 0
	case []string:
		b, ok := b.([]string)
		return ok && a != nil && b != nil && len(a) == 0 && len(b) == 0
	case float64:
		b, ok := b.(float64)
		return ok && a == b
	case string:
		b, ok := b.(string)
		return ok && a == b
	case bool:
		b, ok := b.(bool)
		return ok && a == b
	}
	return false
}
